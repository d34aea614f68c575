"""Bar charts as inline SVG for packets and reports. Text stays text (svg.fonttype none), so the
reader's Japanese fonts render the labels: no font files to ship, no tofu."""

import io
import logging
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# the viewer's Japanese fonts draw the text; matplotlib only lays it out (with DejaVu Sans metrics)
VIEWER_FONTS = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif"
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def bar_chart_svg(title: str, labels: list[str], values: list[int | None], *, width: float = 6.4) -> str:
    """`None` values are hidden counts: drawn as no bar, marked with ＊."""
    with plt.rc_context({"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"],
                         "svg.hashsalt": "renkei"}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig, ax = plt.subplots(figsize=(width, 2.6))
        shown = [v or 0 for v in values]
        ax.bar(range(len(labels)), shown, color="#4a7fb5")
        for i, v in enumerate(values):
            if v is None:
                ax.text(i, 0, "＊", ha="center", va="bottom", fontsize=9, color="#a33")
        ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # inline: no XML prolog or doctype
    return svg.replace("'DejaVu Sans'", VIEWER_FONTS).replace('"DejaVu Sans"', f'"{VIEWER_FONTS}"')
