"""A small accessibility check in the spirit of axe, run in a real browser page (no tests here).

``audit(page)`` returns the problems it finds, as sentences:

- an ``<img>`` without ``alt``, or an ``<svg>`` with no text alternative (``aria-label``,
  ``aria-labelledby`` naming elements with text, or a ``<title>`` child) unless it is hidden
  from assistive technology (``aria-hidden="true"``);
- a form control (``input`` other than hidden, ``select``, ``textarea``) without a label
  (a ``<label>`` around it or naming it, ``aria-label`` or ``aria-labelledby``);
- a page without exactly one ``<h1>``, or a heading that skips a level (``h2`` then ``h4``);
- visible text whose colour, computed by the browser from the stylesheet, has a contrast ratio
  with its background under 4.5:1 (3:1 for large text: 24 px, or 18.66 px bold). SVG text is
  checked with its ``fill`` against the SVG's background.
"""

from __future__ import annotations

import re
from typing import Any

#: gathers what the checks need; the arithmetic is done in Python
COLLECT = r"""
() => {
  const out = {images: [], controls: [], headings: [], texts: []};
  const hidden = (el) => el.closest('[aria-hidden="true"]') !== null;
  const textOf = (ids) => ids.split(/\s+/).map(id => document.getElementById(id))
      .map(el => el ? el.textContent.trim() : '').join(' ').trim();
  for (const el of document.querySelectorAll('img')) {
    out.images.push({what: 'img ' + (el.getAttribute('src') || ''),
                     name: el.hasAttribute('alt') ? 'alt' : '', hidden: hidden(el)});
  }
  for (const el of document.querySelectorAll('svg')) {
    let name = (el.getAttribute('aria-label') || '').trim();
    const by = el.getAttribute('aria-labelledby');
    if (!name && by) name = textOf(by);
    if (!name) {
      const t = Array.from(el.children).find(c => c.tagName.toLowerCase() === 'title');
      name = t ? t.textContent.trim() : '';
    }
    out.images.push({what: 'svg.' + (el.getAttribute('class') || ''), name, hidden: hidden(el)});
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    let name = (el.getAttribute('aria-label') || '').trim();
    const by = el.getAttribute('aria-labelledby');
    if (!name && by) name = textOf(by);
    if (!name && el.labels) name = Array.from(el.labels).map(l => l.textContent.trim()).join(' ');
    out.controls.push({what: el.tagName.toLowerCase() + '[name=' + (el.name || '') + ']', name});
  }
  for (const el of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    out.headings.push({level: Number(el.tagName[1]), text: el.textContent.trim().slice(0, 60)});
  }
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      const m = bg.match(/[\d.]+/g);
      if (m && (m.length < 4 || Number(m[3]) > 0)) return bg;
      if (e.tagName.toLowerCase() === 'svg') {  // an SVG's background is its first rect
        const rect = e.querySelector('rect');
        if (rect && rect.getAttribute('fill')) return rect.getAttribute('fill');
      }
    }
    return 'rgb(255, 255, 255)';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;  // visually hidden (.sr-only)
    if (el.closest('details:not([open])') && !el.closest('summary')) continue;
    if (el.closest('title, desc, option')) continue;
    const inSvg = el.closest('svg') !== null;
    out.texts.push({
      text: node.textContent.trim().slice(0, 40),
      tag: el.tagName.toLowerCase(),
      colour: inSvg ? (el.getAttribute('fill') || style.fill) : style.color,
      background: background(inSvg ? el.closest('svg') : el),
      size: parseFloat(style.fontSize), weight: Number(style.fontWeight) || 400,
    });
  }
  return out;
}
"""

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_colour(text: str) -> tuple[float, float, float]:
    """``#abc``, ``#aabbcc``, ``rgb(…)`` or ``rgba(…)`` (alpha blended over white) → 0–1 RGB."""
    text = text.strip()
    m = _HEX.match(text)
    if m:
        h = m.group(1)
        h = "".join(c * 2 for c in h) if len(h) == 3 else h
        r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
        return r, g, b
    parts = [float(x) for x in re.findall(r"[\d.]+", text)]
    if len(parts) < 3:
        raise ValueError(f"not a colour: {text!r}")
    alpha = parts[3] if len(parts) > 3 else 1.0
    r, g, b = (c / 255 * alpha + (1 - alpha) for c in parts[:3])
    return r, g, b


def luminance(rgb: tuple[float, float, float]) -> float:
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(parse_colour(a)), luminance(parse_colour(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def problems(found: dict[str, Any]) -> list[str]:
    out = []
    for img in found["images"]:
        if not img["hidden"] and not img["name"]:
            out.append(f"{img['what']}: no text alternative")
    for c in found["controls"]:
        if not c["name"]:
            out.append(f"{c['what']}: no label")
    levels = [h["level"] for h in found["headings"]]
    if levels.count(1) != 1:
        out.append(f"{levels.count(1)} h1 headings (want exactly one)")
    for before, h in zip(levels, found["headings"][1:], strict=False):
        if h["level"] > before + 1:
            out.append(f"h{h['level']} {h['text']!r} follows an h{before}: a level skipped")
    for t in found["texts"]:
        large = t["size"] >= 24 or (t["size"] >= 18.66 and t["weight"] >= 700)
        ratio = contrast(t["colour"], t["background"])
        need = 3.0 if large else 4.5
        if ratio < need:
            out.append(
                f"{t['tag']} {t['text']!r}: contrast {ratio:.2f} of {t['colour']} on "
                f"{t['background']} (need {need})"
            )
    return out


def audit(page: Any) -> list[str]:
    """The problems on the page open in ``page`` (a Playwright page)."""
    found: dict[str, Any] = page.evaluate(COLLECT)
    return problems(found)
