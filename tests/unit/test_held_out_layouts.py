"""The four new held-out layouts: each prints every fact a reader is scored on, breaks pages where its lines run out of
room without drawing text over text or off the page, and places the facts unlike every other layout."""
import re
from decimal import Decimal

import pytest

from jefacture.extraction_eval.drawing import Writer
from jefacture.extraction_eval.held_out_layouts import HELD_OUT_LAYOUTS, amount_in_words, number_in_words
from jefacture.extraction_eval.layouts import LAYOUTS, UNSEEN_LAYOUTS, Layout
from jefacture.extraction_eval.model import Invoice

from . import layout_checks as checks
from .layout_checks import SAMPLES, page_texts, sample, squashed, text_clashes, upright

NEW = tuple(HELD_OUT_LAYOUTS)


def render(invoice: Invoice) -> bytes:
    return checks.render(invoice, HELD_OUT_LAYOUTS)


def test_the_four_layouts_are_in_the_corpus_and_no_longer_held_out():
    assert NEW == ("delivery_note", "caps_boxes", "accountant", "artisan")
    assert set(NEW) <= set(LAYOUTS) and not set(NEW) & set(UNSEEN_LAYOUTS)  # studied in session 3
    for name, layout in HELD_OUT_LAYOUTS.items():
        assert issubclass(layout, Layout) and not layout.unseen and layout.name == name


@pytest.mark.parametrize("layout", NEW)
def test_every_fact_a_reader_is_scored_on_is_printed(layout):
    for index in SAMPLES:
        invoice = sample(layout, index)
        assert checks.missing_facts(invoice, render(invoice)) == [], f"{layout} (invoice {index})"


@pytest.mark.parametrize("layout", NEW)
def test_long_invoices_flow_onto_more_pages_with_the_totals_after_the_last_line(layout):
    invoice = sample(layout, 54, copies=5)  # 75 lines: a first, a middle and a last page at least
    w = Writer(invoice)
    pages = page_texts(render(invoice))
    assert len(pages) >= 3
    assert w.party_name(invoice.customer.name) in pages[0]
    total = squashed(w.money(invoice.total_incl_tax))
    assert total in pages[-1] and not any(total in page for page in pages[:-1])
    amounts = [squashed(w.number(line.amount)) for line in invoice.lines]
    assert sum(page.count(amount) for page in pages for amount in set(amounts)) >= len(amounts)
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number} ?(/|SUR) ?{len(pages)}\b", page.upper()), f"page {number} has no number"


@pytest.mark.parametrize("layout", NEW)
def test_an_invoice_that_fills_page_one_goes_on_to_page_two(layout):
    one_line, thirty_lines = sample(layout, 1), sample(layout, 54, copies=2)
    assert len(thirty_lines.lines) == 30 and len(one_line.lines) == 1
    assert len(page_texts(render(one_line))) == 1
    assert len(page_texts(render(thirty_lines))) >= 2


@pytest.mark.parametrize("layout", NEW)
def test_no_text_runs_over_other_text_or_off_the_page(layout):
    for index in SAMPLES:
        for copies in (1, 2):  # the stamp's turned letters and the script face's joined letters are left out
            clashes = text_clashes(render(sample(layout, index, copies)), counted=upright)
            assert clashes == [], f"{layout} (invoice {index}, x{copies})"


def test_the_new_layouts_place_the_facts_unlike_every_other_layout():
    assert checks.alike_layouts(HELD_OUT_LAYOUTS) == []


@pytest.mark.parametrize("layout", NEW)
def test_the_same_invoice_gives_the_same_bytes(layout):
    invoice = sample(layout, 27)
    assert render(invoice) == render(invoice)


def test_amounts_are_written_out_in_french_words():
    assert [number_in_words(n) for n in (0, 1, 16, 17, 21, 71, 80, 81, 91, 100, 200, 201)] == [
        "zéro", "un", "seize", "dix-sept", "vingt et un", "soixante et onze", "quatre-vingts", "quatre-vingt-un",
        "quatre-vingt-onze", "cent", "deux cents", "deux cent un"]
    assert number_in_words(280_000) == "deux cent quatre-vingt mille"
    assert number_in_words(2_001_999) == "deux millions mille neuf cent quatre-vingt-dix-neuf"
    assert amount_in_words(Decimal("9135.12"), "CHF") == "neuf mille cent trente-cinq francs suisses et douze centimes"
    assert amount_in_words(Decimal("1.01"), "EUR") == "un euro et un centime"
