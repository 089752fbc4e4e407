import pytest

from jefacture_identity.domain.dossier import DossierAlreadyExists, DossierNotFound, InvalidDossier
from jefacture_identity.handlers import create_dossier, get_dossier


class FakeDossiers:
    def __init__(self):
        self.stored = {}

    def get(self, dossier_id):
        return self.stored.get(dossier_id)

    def add(self, dossier):
        twin = next((d for d in self.stored.values() if d.siren == dossier.siren), None)
        if twin:
            raise DossierAlreadyExists(dossier.siren, twin.dossier_id)
        self.stored[dossier.dossier_id] = dossier


def test_a_new_dossier_is_stored_with_its_cleaned_name_and_siren():
    dossiers = FakeDossiers()
    dossier = create_dossier("  Boulangerie Martin SARL ", "732 829 320", dossiers)
    assert dossier.name == "Boulangerie Martin SARL" and dossier.siren == "732829320"
    assert get_dossier(dossier.dossier_id, dossiers) == dossier


def test_a_second_dossier_for_the_same_siren_is_refused_with_the_existing_id():
    dossiers = FakeDossiers()
    first = create_dossier("Boulangerie Martin", "732829320", dossiers)
    with pytest.raises(DossierAlreadyExists) as refused:
        create_dossier("Martin again", "732829320", dossiers)
    assert refused.value.dossier_id == first.dossier_id
    assert first.dossier_id in str(refused.value) and "732829320" in str(refused.value)
    assert list(dossiers.stored) == [first.dossier_id]


@pytest.mark.parametrize("name, siren, message", [
    ("Martin", "732829321", r"siren '732829321' is not a valid SIREN: its check digit is wrong"),
    ("Martin", "73282932", r"siren '73282932' is not a valid SIREN: a SIREN has 9 digits"),
    ("Martin", "73282932A", r"siren '73282932A' is not a valid SIREN: a SIREN has only digits"),
    ("Martin", "  ", r"siren is required"),
    ("   ", "732829320", r"name is required"),
    ("x" * 201, "732829320", r"name is 201 characters long, over the limit of 200"),
])
def test_bad_input_is_refused_with_a_message_naming_it_and_nothing_is_stored(name, siren, message):
    dossiers = FakeDossiers()
    with pytest.raises(InvalidDossier, match=message):
        create_dossier(name, siren, dossiers)
    assert dossiers.stored == {}


def test_a_name_of_exactly_200_characters_is_accepted():
    assert len(create_dossier("x" * 200, "732829320", FakeDossiers()).name) == 200


def test_an_unknown_dossier_is_not_found():
    with pytest.raises(DossierNotFound, match="no dossier has the id 'nope'"):
        get_dossier("nope", FakeDossiers())
