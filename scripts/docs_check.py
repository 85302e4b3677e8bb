# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Judges one docs page that scripts/docs-check.sh rendered in headless Chromium: its screenshot and its text.
"""Usage: docs_check.py SCREENSHOT.png DOM.html EXPECTED PAGE

The screenshot must be a real picture of a page (1280x2000, many colours, no colour covering nearly all of it), and
the text of the rendered DOM (scripts and styles left out) must be long and hold every ';'-separated string of
EXPECTED. PAGE names the page in messages. Exits non-zero with every problem found; needs Pillow (the docs venv).
"""

import html.parser
import sys

from PIL import Image

WIDTH, HEIGHT = 1280, 2000  # the --window-size docs-check.sh gives Chromium
MIN_COLOURS = 64
MAX_SHARE_OF_ONE_COLOUR = 0.97
MIN_TEXT_CHARACTERS = 2000


class VisibleText(html.parser.HTMLParser):
    """Collects a document's text outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.parts = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.hidden_depth > 0:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def screenshot_problems(png, page):
    """What is wrong with the screenshot (exits when there is no usable image), and its number of colours."""
    try:
        image = Image.open(png)
        image.load()
    except (OSError, ValueError) as error:
        sys.exit("docs-check: %s: no usable screenshot (%s)" % (page, error))
    pixels = image.convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 24)
    top = max(colours)[0]  # (count, colour) pairs: the count of the commonest colour
    total = pixels.width * pixels.height
    problems = []
    if pixels.size != (WIDTH, HEIGHT):
        problems.append("screenshot is %dx%d, not %dx%d" % (pixels.size + (WIDTH, HEIGHT)))
    if len(colours) < MIN_COLOURS:
        problems.append("screenshot has only %d colours: the page looks empty" % len(colours))
    if top > MAX_SHARE_OF_ONE_COLOUR * total:
        problems.append("one colour covers %.1f%% of the screenshot: the page looks empty" % (100.0 * top / total))
    return problems, len(colours)


def text_problems(dom, expected):
    """What is missing from the rendered text, and the text's length."""
    parser = VisibleText()
    with open(dom, encoding="utf-8", errors="replace") as handle:
        parser.feed(handle.read())
    text = " ".join(" ".join(parser.parts).split())
    problems = []
    if len(text) < MIN_TEXT_CHARACTERS:
        problems.append("the rendered page holds only %d characters of text" % len(text))
    for wanted in expected.split(";"):
        if wanted not in text:
            problems.append("the rendered page does not show %r" % wanted)
    return problems, len(text)


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    png, dom, expected, page = argv
    picture, colour_count = screenshot_problems(png, page)
    words, text_length = text_problems(dom, expected)
    problems = picture + words
    if problems:
        sys.exit("docs-check: %s is broken:\n  %s" % (page, "\n  ".join(problems)))
    print("docs-check: %s ok (%d colours, %d characters of text) -> %s" % (page, colour_count, text_length, png))


if __name__ == "__main__":
    main(sys.argv[1:])
