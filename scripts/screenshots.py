"""Developer tool: log in and take full-page screenshots of the given paths with Debian's Chromium.

usage: python scripts/screenshots.py BASE_URL USER PASSWORD OUTDIR PATH [PATH ...]

SCREENSHOT_WIDTH (default 1400) sets the viewport width, e.g. 390 for a phone; the files are named
after the path and, when set, the width.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> None:
    base, user, password, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    width = int(os.environ.get("SCREENSHOT_WIDTH", "1400"))
    suffix = f"@{width}" if "SCREENSHOT_WIDTH" in os.environ else ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        for path in paths:
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")  # htmx panels (recommendations) loaded after the page
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_") or "home"
            page.screenshot(path=str(out / f"{name}{suffix}.png"), full_page=True)
            print(out / f"{name}{suffix}.png")
        browser.close()


if __name__ == "__main__":
    main()
