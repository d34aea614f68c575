"""The one Jinja2 environment for e-mails and generated documents: every HTML template escaped
(`.html.j2` included), undefined variables an error, so a broken template fails its job loudly."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parents[1] / "email_templates"


@cache
def environment(path: Path = TEMPLATES) -> Environment:
    env = Environment(loader=FileSystemLoader(path), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"),
                                                   default_for_string=True))
    env.filters["yen_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
    return env


def render(template: str, /, **context) -> str:
    return environment().get_template(template).render(**context)
