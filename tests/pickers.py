"""Helpers of the browser tests."""


def pick(page, select: str, text: str, value) -> None:
    """Choose ``value`` in a searchable picker (core/forms.py): type ``text`` into its filter box and
    choose the option once the server's answer offers it (a big dropdown holds only what is chosen)."""
    page.fill(f"input.picker-filter:has(+ {select})", text)
    page.wait_for_selector(f"{select} option[value='{value}']", state="attached")
    page.select_option(select, str(value))
