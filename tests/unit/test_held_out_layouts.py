"""The second round of held-out layouts (held_out_layouts.py), studied in session 3: in the corpus, no longer held
out, and their amounts written in French words. What every drawn layout must do is in test_drawn_layouts.py."""
from decimal import Decimal

from jefacture.extraction_eval.held_out_layouts import HELD_OUT_LAYOUTS, amount_in_words, number_in_words
from jefacture.extraction_eval.layouts import LAYOUTS, UNSEEN_LAYOUTS, Layout

NEW = tuple(HELD_OUT_LAYOUTS)


def test_the_four_layouts_are_in_the_corpus_and_no_longer_held_out():
    assert NEW == ("delivery_note", "caps_boxes", "accountant", "artisan")
    assert set(NEW) <= set(LAYOUTS) and not set(NEW) & set(UNSEEN_LAYOUTS)  # studied in session 3
    for name, layout in HELD_OUT_LAYOUTS.items():
        assert issubclass(layout, Layout) and not layout.unseen and layout.name == name


def test_amounts_are_written_out_in_french_words():
    assert [number_in_words(n) for n in (0, 1, 16, 17, 21, 71, 80, 81, 91, 100, 200, 201)] == [
        "zéro", "un", "seize", "dix-sept", "vingt et un", "soixante et onze", "quatre-vingts", "quatre-vingt-un",
        "quatre-vingt-onze", "cent", "deux cents", "deux cent un"]
    assert number_in_words(280_000) == "deux cent quatre-vingt mille"
    assert number_in_words(2_001_999) == "deux millions mille neuf cent quatre-vingt-dix-neuf"
    assert amount_in_words(Decimal("9135.12"), "CHF") == "neuf mille cent trente-cinq francs suisses et douze centimes"
    assert amount_in_words(Decimal("1.01"), "EUR") == "un euro et un centime"
