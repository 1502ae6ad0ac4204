"""The function's settings: what each variable configures, and that writing them and reading them
back gives the same settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from local_stack import settings as local_settings
from predict.settings import Settings, names

# What a name in a comma-separated list can be: no comma, not blank, no blanks around it.
_name = (
    st.text(alphabet=st.characters(blacklist_characters=",", blacklist_categories=("Cs",)), min_size=1)
    .map(str.strip)
    .filter(bool)
)


def test_an_empty_environment_gives_the_defaults():
    assert Settings.from_environment({}) == Settings("iris-endpoint", ("*",), ())


def test_each_variable_sets_its_setting():
    environment = {
        "ENDPOINT_NAME": "team-iris",
        "ALLOWED_ORIGINS": " https://app.example.com ,https://admin.example.com,",
        "SELECTABLE_VARIANTS": "primary, challenger",
    }

    assert Settings.from_environment(environment) == Settings(
        "team-iris", ("https://app.example.com", "https://admin.example.com"), ("primary", "challenger")
    )


@pytest.mark.parametrize("origins", ["", " , ", ","])
def test_no_origin_named_allows_any(origins):
    settings = Settings.from_environment({"ALLOWED_ORIGINS": origins})

    assert settings.allowed_origins == ("*",)
    assert settings.allows_any_origin


def test_named_origins_do_not_allow_any():
    assert not Settings(allowed_origins=("https://app.example.com",)).allows_any_origin
    assert not Settings(allowed_origins=("*", "https://app.example.com")).allows_any_origin


def test_an_empty_endpoint_name_is_kept_not_replaced_by_the_default():
    # A deployment mistake should reach the endpoint call and be logged there, not be hidden.
    assert Settings.from_environment({"ENDPOINT_NAME": ""}).endpoint_name == ""


def test_the_written_environment_names_every_setting():
    assert Settings("e", ("https://a.example", "https://b.example"), ("v1", "v2")).environment() == {
        "ENDPOINT_NAME": "e",
        "ALLOWED_ORIGINS": "https://a.example,https://b.example",
        "SELECTABLE_VARIANTS": "v1,v2",
    }


@given(
    endpoint=st.text(min_size=1),
    origins=st.lists(_name, min_size=1, max_size=4).map(tuple),
    variants=st.lists(_name, max_size=4).map(tuple),
)
def test_settings_read_back_from_their_environment_are_the_same(endpoint, origins, variants):
    settings = Settings(endpoint, origins, variants)

    assert Settings.from_environment(settings.environment()) == settings


def test_names_splits_on_commas_and_drops_blanks():
    assert names(" a, b ,,c ") == ("a", "b", "c")
    assert names("") == ()


# ---------------------------------------------------------------- a local run (make run, make invoke)
def test_a_local_run_reads_every_function_variable_from_the_shell(monkeypatch):
    monkeypatch.setenv("ENDPOINT_NAME", "team-iris")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com,https://admin.example.com")
    monkeypatch.setenv("SELECTABLE_VARIANTS", "challenger")

    assert local_settings.function_settings(["primary", "challenger"]) == Settings(
        "team-iris", ("https://app.example.com", "https://admin.example.com"), ("challenger",)
    )


def test_a_local_run_lets_callers_choose_the_served_variants_unless_the_shell_says(monkeypatch):
    for name in Settings().environment():
        monkeypatch.delenv(name, raising=False)

    assert local_settings.function_settings(["primary", "challenger"]) == Settings(
        selectable_variants=("primary", "challenger")
    )
    monkeypatch.setenv("SELECTABLE_VARIANTS", "")
    assert local_settings.function_settings(["primary", "challenger"]).selectable_variants == ()
