"""What every layout drawn for a held-out round must do (held_out_layouts.py, fresh_layouts.py, blind_layouts.py):
print every fact a reader is scored on, break pages where its lines run out of room with the totals once and every
page numbered, draw no text over text or off the page, and give the same bytes for the same invoice. That every
layout places the facts unlike the others is tested in test_extraction_eval.py, what defines each layout in its
round's module."""
import re

import pytest

from jefacture.extraction_eval import blind_layouts, fresh_layouts, held_out_layouts
from jefacture.extraction_eval.drawing import Writer

from . import layout_checks as checks
from .layout_checks import SAMPLES, page_texts, squashed, text_clashes, upright, visible

ROUNDS = {"held_out": held_out_layouts.HELD_OUT_LAYOUTS, "fresh": fresh_layouts.HELD_OUT_LAYOUTS,
          "blind": blind_layouts.HELD_OUT_LAYOUTS}
DRAWN = {name: layouts for layouts in ROUNDS.values() for name in layouts}
TOTALS_FIRST = {"mirrored"}  # its totals sit above the line items, on page one
TURNED_LETTERS = {"artisan"}  # its stamp's turned letters and its script face's joined letters are not counted
WITH_EVERY_MENTION = (*fresh_layouts.HELD_OUT_LAYOUTS, *blind_layouts.HELD_OUT_LAYOUTS)


def drawn(layout: str, index: int, copies: int = 1):
    return checks.drawn(DRAWN[layout], layout, index, copies)


def test_each_round_drew_four_layouts_of_its_own():
    assert [len(layouts) for layouts in ROUNDS.values()] == [4, 4, 4] and len(DRAWN) == 12


@pytest.mark.parametrize("layout", DRAWN)
def test_every_fact_a_reader_is_scored_on_is_printed(layout):
    for index in SAMPLES:
        invoice, pdf = drawn(layout, index)
        assert checks.missing_facts(invoice, pdf) == [], f"{layout} (invoice {index})"


@pytest.mark.parametrize("layout", WITH_EVERY_MENTION)
def test_every_mandatory_mention_is_printed(layout):
    for index in (1, 7, 17, 40):
        invoice, pdf = drawn(layout, index)
        assert checks.missing_mentions(invoice, pdf) == [], f"{layout} (invoice {index})"


@pytest.mark.parametrize("layout", DRAWN)
def test_long_invoices_flow_onto_more_pages_with_the_totals_once_and_every_page_numbered(layout):
    invoice, pdf = drawn(layout, 54, copies=5)  # 75 lines: a first, a middle and a last page at least
    w = Writer(invoice)
    pages = page_texts(pdf)
    assert len(pages) >= 3
    assert w.party_name(invoice.customer.name) in pages[0]
    excl_tax = squashed(w.money(invoice.total_excl_tax))
    totals_page = 0 if layout in TOTALS_FIRST else len(pages) - 1
    assert [number for number, page in enumerate(pages) if excl_tax in page] == [totals_page]
    assert squashed(w.money(invoice.total_incl_tax)) in pages[totals_page]
    amounts = [squashed(w.number(line.amount)) for line in invoice.lines]
    assert sum(page.count(amount) for page in pages for amount in set(amounts)) >= len(amounts)
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number} ?(/|SUR) ?{len(pages)}\b", page.upper()), f"page {number} has no number"


@pytest.mark.parametrize("layout", DRAWN)
def test_an_invoice_that_fills_page_one_goes_on_to_page_two(layout):
    one_line, thirty_lines = drawn(layout, 1), drawn(layout, 54, copies=2)
    assert len(one_line[0].lines) == 1 and len(thirty_lines[0].lines) == 30
    assert len(page_texts(one_line[1])) == 1
    assert len(page_texts(thirty_lines[1])) >= 2


@pytest.mark.parametrize("layout", DRAWN)
def test_no_text_runs_over_other_text_or_off_the_page(layout):
    counted = upright if layout in TURNED_LETTERS else visible
    for index in SAMPLES:
        for copies in (1, 2):
            clashes = text_clashes(drawn(layout, index, copies)[1], counted=counted)
            assert clashes == [], f"{layout} (invoice {index}, x{copies})"


@pytest.mark.parametrize("layout", DRAWN)
def test_the_same_invoice_gives_the_same_bytes(layout):
    invoice, pdf = drawn(layout, 27)
    assert checks.render(invoice, DRAWN[layout]) == pdf
