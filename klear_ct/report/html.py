"""Building blocks of the reports' HTML pages: escaped text, tables, inline PNG images, the style, the page.

Every page is one self-contained file: no scripts, no links, plots embedded as base64 PNG.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.bad{color:#c62828}.warn{color:#9a6700}.meta{color:#666;font-size:.85rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;
min-width:10rem}.card b{display:block;font-size:1.4rem}
img{max-width:100%;border:1px solid #eee;margin:.5rem 0}
"""


def escape(value) -> str:
    return html.escape("" if value is None else str(value))


def table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), raw: set[int] = frozenset()) -> str:
    """An HTML table; every cell escaped except the columns in `raw` (already-built markup)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for k, cell in enumerate(row):
            attr = ' class="n"' if k in numeric else ""
            cells.append(f"<td{attr}>{cell if k in raw else escape(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def img(data: str, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def page(title: str, parts: list[str], css: str = CSS) -> str:
    """A whole HTML document: the title, the style and the parts, one a line."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{css}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def write_page(path: Path | str, document: str) -> Path:
    """Write the document to a temporary name next to `path` and rename it: never a half-written page."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(path)
    return path
