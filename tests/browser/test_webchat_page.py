"""The chat page on a phone, in Russian: every word of it Russian, the header compact, every
control named for a screen reader (axe-core finds nothing serious)."""

from __future__ import annotations

import re
from typing import Any

from relaybot.testing import RelaybotProcess, free_port

# Every visible string and every name a screen reader says, outside elements marked as being
# in another language (the "English" choice is said in English on purpose).
PAGE_STRINGS = """() => {
  const foreign = (el) => el.closest("[lang]") !== document.documentElement
                          && el.closest("[lang]")?.lang !== document.documentElement.lang;
  const found = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    if (text && !foreign(walker.currentNode.parentElement)) found.push(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], [alt]")) {
    if (foreign(el)) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      if (el.getAttribute(name)) found.push(el.getAttribute(name));
    }
  }
  return found;
}"""
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# The product's name and the language switch's code for Russian are the same in every language.
SAME_IN_EVERY_LANGUAGE = re.compile(r"\brelaybot\b|^RU$")


async def test_the_russian_page_on_a_phone_is_russian_compact_and_named(tmp_path, browser):
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import expect

    server = RelaybotProcess.embedded(tmp_path, free_port())
    await server.start()
    try:
        page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="ru-RU")
        await page.goto(f"{server.url}/?bot=helpdesk")
        await page.get_by_role("button", name="RU", exact=True).click()
        await expect(page.locator("#status")).to_have_text("на связи", timeout=10_000)
        box = page.get_by_label("Сообщение")
        await box.fill("Привет")
        await box.press("Enter")
        await expect(page.locator("#messages .msg.out")).not_to_have_count(0, timeout=10_000)

        strings: list[str] = await page.evaluate(PAGE_STRINGS)
        english = [s for s in strings if LATIN_WORD.search(SAME_IN_EVERY_LANGUAGE.sub("", s))]
        sizes: dict[str, Any] = await page.evaluate(
            """() => ({
              width: document.documentElement.scrollWidth,
              header: document.querySelector(".chat-header").getBoundingClientRect().bottom,
              subtitle: document.querySelector("#chat-subtitle").getBoundingClientRect().right,
              status: document.querySelector("#status").getBoundingClientRect().left,
            })"""
        )
        results = await Axe().run(page)
    finally:
        await server.stop()
    assert english == [], "the Russian page says these in English"
    assert sizes["width"] <= 390, "nothing sticks out sideways"
    assert sizes["header"] <= 160, f"the header takes {sizes['header']} of 844 px"
    assert sizes["subtitle"] <= sizes["status"], "the subtitle stops before the status"
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
