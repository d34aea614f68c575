"""The one Jinja2 environment for e-mails and generated documents: every HTML template escaped
(`.html.j2` included), undefined variables an error, so a broken template fails its job loudly."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backend.fiscal import japan_date

TEMPLATES = Path(__file__).resolve().parents[1] / "email_templates"


@cache
def environment(path: Path = TEMPLATES) -> Environment:
    env = Environment(loader=FileSystemLoader(path), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"),
                                                   default_for_string=True))
    env.filters["japan_date"] = _japanese_date
    return env


def _japanese_date(moment) -> str:
    day = japan_date(moment)   # an instant is shown as the day it was in Japan, never the UTC day
    return f"{day.year}年{day.month}月{day.day}日"


def render(template: str, /, **context) -> str:
    return environment().get_template(template).render(**context)
