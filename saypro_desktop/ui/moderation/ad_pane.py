"""One ad as a moderator reads it: the text with the rules' findings marked, images, flags in words, the
advertiser's history and the decisions so far."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget

from ...services.ad_views import AdDetail
from ..theme import BAD, WARN

THUMB = 160  # px: images are shown small; the moderator opens the file for a closer look


def marked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` as HTML with the spans (start, end) marked; overlapping spans merge."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(html.escape(text[at:start]))
        out.append(f'<span style="background:#ffe08a;color:#000">{html.escape(text[start:end])}</span>')
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


def ad_html(d: AdDetail) -> str:
    spans: dict[str, list[tuple[int, int]]] = {"title": [], "description": []}
    for hit in d.hits:
        for field, start, end in hit.get("spans", []):
            spans.setdefault(field, []).append((start, end))
    e = html.escape
    parts = [f"<h2>{marked(d.title, spans['title'])}</h2>",
             f"<p><b>{e(d.display)}</b> · {e(d.status)} · {e(d.category)}"
             + (f" / {e(d.subcategory)}" if d.subcategory else "")
             + f" · {e(d.ad_type)} · {e(d.price)}" + (f" · {e(d.location)}" if d.location else "") + "</p>",
             f"<p>{marked(d.description, spans['description'])}</p>"]
    if d.images:
        cells = []
        for name, path in d.images:
            if path is None:
                cells.append(f"<i>{e(name)}: not on this desktop yet (files sync separately)</i>")
            else:
                cells.append(f'<img src="{QUrl.fromLocalFile(str(path)).toString()}" width="{THUMB}" '
                             f'alt="{e(name)}">')
        parts.append("<p>" + " ".join(cells) + "</p>")
    else:
        parts.append("<p><i>No images.</i></p>")
    risk = "not scored yet" if d.risk is None else f"{d.risk} (policy v{d.rules_version})"
    color = BAD if (d.risk or 0) >= 50 else WARN if (d.risk or 0) >= 20 else ""
    parts.append(f'<h3>Flags: risk <span style="color:{color}">{e(risk)}</span></h3>')
    if d.hits:
        parts.append("<ul>" + "".join(f"<li><b>{e(h['rule'].replace('_', ' '))}</b> (+{h['weight']}): "
                                      f"{e(h['why'])}</li>" for h in d.hits) + "</ul>")
    else:
        parts.append("<p>No rule fired.</p>")
    repeat = f' · <b style="color:{BAD}">repeat violator</b>' if d.repeat_violator else ""
    parts.append(f"<h3>Advertiser {e(d.advertiser_name)} ({e(d.advertiser_id)})</h3>"
                 f"<p>{d.advertiser_ads} ad(s) · {d.strikes} strike(s){repeat}"
                 + (f'<br><b style="color:{BAD}">In force: {e(d.sanction_now)}</b>' if d.sanction_now else "")
                 + "</p>")
    if d.sanctions:
        parts.append("<p><b>Sanctions</b></p><ul>" + "".join(f"<li>{e(s)}</li>" for s in d.sanctions) + "</ul>")
    if d.advertiser_recent:
        parts.append("<p><b>Their other ads</b></p><ul>" + "".join(
            f"<li>{e(ad)} · {e(status)} · {e(title)}</li>" for ad, status, title in d.advertiser_recent) + "</ul>")
    if d.decisions:
        parts.append("<h3>Decisions</h3><ul>" + "".join(
            f"<li>{x.at:%d/%m/%Y %H:%M} {e(x.who)}: <b>{e(x.decision)}</b>"
            + (f" ({e(', '.join(x.reasons))})" if x.reasons else "")
            + ("" if x.standing else " <i>(met another decision: kept for a Supervisor)</i>") + "</li>"
            for x in d.decisions) + "</ul>")
    return "".join(parts)


class AdPane(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Ad")
        self.setOpenLinks(False)
        self.detail: AdDetail | None = None
        self.show_nothing()

    def show_nothing(self, text: str = "Choose an ad in the queue.") -> None:
        self.detail = None
        self.setHtml(f"<p><i>{html.escape(text)}</i></p>")

    def show_ad(self, detail: AdDetail) -> None:
        self.detail = detail
        self.setHtml(ad_html(detail))
