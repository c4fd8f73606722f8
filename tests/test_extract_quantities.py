"""The quantities stage: figures with their bounds, unit and hedges, as curators write `value`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.extract.quantities import Figure, find_figures

ARTICLES = Path(__file__).resolve().parents[1] / "corpus" / "articles"
COMPARED = ("min", "max", "amount", "approximate", "exclusive_min", "unit")


def values(sentence: str) -> list[dict]:
    return [f.value() for f in find_figures(sentence)]


def only(sentence: str) -> dict:
    found = values(sentence)
    assert len(found) == 1, found
    return found[0]


# --- plain numbers and bounds ----------------------------------------------------------------

def test_thousands_separators_and_a_military_noun():
    assert only("Kyiv said on Monday that 1,234,560 Russian troops had been lost since the "
                "invasion.") == {"amount": 1234560, "unit": "soldiers"}


def test_figure_offsets_cover_the_phrase_from_qualifier_to_unit():
    sentence = "Seoul believes up to 2,500 additional North Korean soldiers are on their way."
    [figure] = find_figures(sentence)
    assert isinstance(figure, Figure)
    assert figure.text == sentence[figure.start:figure.end] == \
        "up to 2,500 additional North Korean soldiers"


@pytest.mark.parametrize("sentence, expected", [
    ("Officials estimate 6,000 to 8,000 troops took part.", {"min": 6000, "max": 8000}),
    ("Between 6,000 and 8,000 troops took part, officials said.", {"min": 6000, "max": 8000}),
    ("A 13-15,000 strong force was massed near the border.", {"min": 13000, "max": 15000}),
    ("Officials estimate 6,000–8,000 troops took part.", {"min": 6000, "max": 8000}),
    ("Two to three million troops were mobilised, the report said.",
     {"min": 2_000_000, "max": 3_000_000}),
])
def test_ranges(sentence, expected):
    assert only(sentence) == {**expected, "unit": "soldiers"}


def test_a_word_range_of_days():
    assert only("The detainee said he had gone without water for six-seven days.") == \
        {"min": 6, "max": 7, "unit": "days"}


def test_a_change_is_two_figures_not_a_range():
    assert values("The estimate rose from 1,000 to 1,500 soldiers over the summer.") == \
        [{"amount": 1000, "unit": "soldiers"}, {"amount": 1500, "unit": "soldiers"}]


@pytest.mark.parametrize("sentence, expected", [
    ("The general said up to 9,000 soldiers had been sent.", {"max": 9000}),
    ("Reports say as many as 9,000 soldiers had been sent.", {"max": 9000}),
    ("Officials say more than 9,000 soldiers had been sent.", {"min": 9000, "exclusive_min": True}),
    ("Officials say over 9,000 soldiers had been sent.", {"min": 9000, "exclusive_min": True}),
    ("Officials say at least 9,000 soldiers had been sent.", {"min": 9000}),
    ("The minister said losses had reached 9,000 soldiers.", {"min": 9000}),
    ("The minister said 9,000 soldiers or more had been sent.", {"min": 9000}),
])
def test_bounds_said_by_the_fields_need_no_qualifier(sentence, expected):
    assert only(sentence) == {**expected, "unit": "soldiers"}


@pytest.mark.parametrize("word", ["nearly", "almost", "Nearly", "fewer than"])
def test_near_or_strict_ceilings_keep_their_words(word):
    sentence = f"{word} 80 soldiers were lost in the assault, the brigade said."
    assert only(sentence) == {"max": 80, "qualifier": word, "unit": "soldiers"}


def test_just_over_is_an_exclusive_floor_with_its_words():
    assert only("The battalion lost just over 200 soldiers.") == \
        {"min": 200, "exclusive_min": True, "qualifier": "just over", "unit": "soldiers"}


@pytest.mark.parametrize("word", ["about", "around", "approximately", "roughly", "some",
                                  "an estimated", "An estimated"])
def test_approximate_amounts(word):
    sentence = f"{word} 4,500 troops were redeployed to the south, the agency said."
    assert only(sentence) == {"amount": 4500, "approximate": True, "unit": "soldiers"}


def test_a_bound_and_an_approximation_together():
    assert only("Up to an estimated 4,500 troops were redeployed.") == \
        {"max": 4500, "approximate": True, "unit": "soldiers"}


def test_estimate_as_a_verb_does_not_make_a_figure_approximate():
    assert only("Analysts estimate 4,500 troops were redeployed.") == \
        {"amount": 4500, "unit": "soldiers"}


# --- words for numbers -----------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("Three Russian soldiers surrendered near the village.", {"amount": 3}),
    ("Twenty-four soldiers were evacuated by helicopter.", {"amount": 24}),
    ("Two hundred and fifty soldiers were evacuated.", {"amount": 250}),
    ("A dozen soldiers were evacuated.", {"amount": 12}),
    ("About a dozen soldiers were evacuated.", {"amount": 12, "approximate": True}),
    ("One soldier was evacuated.", {"amount": 1}),
])
def test_number_words(sentence, expected):
    assert only(sentence) == {**expected, "unit": "soldiers"}


@pytest.mark.parametrize("sentence, expected", [
    ("Dozens of soldiers were evacuated.", {"min": 24, "qualifier": "Dozens"}),
    ("Hundreds of soldiers were evacuated.", {"min": 200, "qualifier": "Hundreds"}),
    ("Several thousand soldiers were evacuated.", {"min": 2000, "qualifier": "Several thousand"}),
    ("Tens of thousands of soldiers were evacuated.",
     {"min": 20000, "qualifier": "Tens of thousands"}),
])
def test_vague_plurals_are_floors_with_their_words(sentence, expected):
    assert only(sentence) == {**expected, "unit": "soldiers"}


def test_one_counts_only_a_noun():
    assert values("One of the prisoners said he was recruited in one day.") == []


def test_hyphenated_adjectives_are_not_figures():
    assert values("Almost two-thirds of the three-member crew survived.") == []


# --- units -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, unit", [
    ("Moscow has sent 3,000 personnel to the region.", "soldiers"),
    ("Moscow has sent 3,000 servicemen to the region.", "soldiers"),
    ("Moscow has sent 3,000 service members to the region.", "soldiers"),
    ("Moscow has sent 3,000 Chechens to the region.", "soldiers"),
    ("Moscow has moved 3,000 civilians from the region.", "civilians"),
    ("Moscow has sent 3,000 drones to the region.", "drones"),
])
def test_units_are_normalised_as_curators_write_them(sentence, unit):
    assert only(sentence)["unit"] == unit


def test_a_bare_number_shares_the_unit_of_the_figure_before_it():
    sentence = ("The agency said 120 Russian soldiers were killed on Monday and 450 were "
                "wounded, of whom about 90 were evacuated.")
    assert values(sentence) == [{"amount": 120, "unit": "soldiers"},
                                {"amount": 450, "unit": "soldiers"},
                                {"amount": 90, "approximate": True, "unit": "soldiers"}]


def test_a_bare_number_with_nothing_before_it_has_no_unit():
    assert only("The ministry put the figure at roughly 2,000.") == \
        {"amount": 2000, "approximate": True}


def test_percentages():
    sentence = "Support fell to 41%, or 41.5 percent among soldiers, down 3 percentage points."
    assert values(sentence) == [{"amount": 41, "unit": "percent"},
                                {"amount": 41.5, "unit": "percent"},
                                {"amount": 3, "unit": "percentage points"}]


@pytest.mark.parametrize("sentence, expected", [
    ("The brigade said it lost 60 soldiers per day in the first week.",
     {"amount": 60, "unit": "soldiers per day"}),
    ("The brigade was losing about 60 soldiers daily.",
     {"amount": 60, "approximate": True, "unit": "soldiers per day"}),
    ("The unit was losing almost 60 personnel a day.",
     {"max": 60, "qualifier": "almost", "unit": "soldiers per day"}),
    ("Russia fired some 40 drones every day.",
     {"amount": 40, "approximate": True, "unit": "drones per day"}),
])
def test_rates(sentence, expected):
    assert only(sentence) == expected


def test_an_area_with_its_conversion_is_one_figure():
    sentence = ("Russian forces took 312 square kilometres (120 square miles) in March and "
                "27 sq km (10 sq mi) in April.")
    found = find_figures(sentence)
    assert [f.value() for f in found] == [{"amount": 312, "unit": "square kilometres"},
                                          {"amount": 27, "unit": "square kilometres"}]
    assert found[0].text == "312 square kilometres"


def test_a_body_of_troops_counts_soldiers():
    assert only("A 1,500-strong battalion was moved to the front.") == \
        {"amount": 1500, "unit": "soldiers"}


def test_durations_are_figures_but_points_in_time_are_not():
    assert values("Fighting has gone on for three weeks.") == [{"amount": 3, "unit": "weeks"}]
    assert values("The unit arrived two years ago and left 10 days later.") == []
    assert values("A 24-year-old soldier was captured.") == []


# --- fractions of a printed figure -----------------------------------------------------------

def test_a_fraction_of_a_printed_range_is_derived():
    sentence = ("The general said on Tuesday that roughly half of the 8-9,000 strong "
                "contingent had been withdrawn.")
    derived, base = find_figures(sentence)
    assert base.value() == {"min": 8000, "max": 9000, "unit": "soldiers"}
    assert derived.value() == {"min": 4000, "max": 4500, "approximate": True, "unit": "soldiers",
                               "derived": True, "basis": derived.basis}
    assert derived.text == "roughly half of the 8-9,000 strong contingent"
    assert "'roughly half'" in derived.basis and "half of 8,000 to half of 9,000" in derived.basis


def test_a_fraction_that_is_not_whole_is_rounded_and_approximate():
    derived, _ = find_figures("A third of the 1,000 conscripts deserted.")
    assert derived.value()["amount"] == 333 and derived.approximate


def test_a_percentage_of_a_figure():
    found = values("Ukraine says 40% of the 2,000 tanks were destroyed.")
    assert {"amount": 800, "unit": "tanks", "derived": True,
            "basis": "'40%' of the '2,000 tanks': 40% of 2,000"} in found
    assert {"amount": 40, "unit": "percent"} in found


def test_a_ceiling_on_a_fraction():
    derived, _ = find_figures("Nearly half of the 12,000 troops were wounded.")
    assert (derived.max, derived.qualifier) == (6000, "Nearly")
    assert derived.min is None and derived.amount is None


def test_a_fraction_without_a_printed_base_gives_no_figure():
    assert values("Roughly a third of the division was wounded, the governor said.") == []


# --- what is not a quantity ------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The offensive began in 2024 and was renewed in August 2025.",
    "The statement was issued on January 13.",
    "The ministry said on Jan. 19 that fighting continued.",
    "The ministry said on 9 January 2025 that fighting continued.",
    "The ministry said on 11 January that fighting continued.",
    "Talks were held on 9-10 February in Riyadh.",
    "The update was posted at 1:02 PM and again at 10 a.m.",
    "It was the second-highest toll since the 1990s.",
    "The 47th Brigade shot down a Su-34 over the F-16 base, COVID-19 aside.",
    "Kim Jong Un's envoy met the 155th Marine Brigade's commander.",
    "Planning for the 2025-26 season continued.",
])
def test_not_figures(sentence):
    assert values(sentence) == []


def test_dates_and_codes_do_not_hide_the_real_figure():
    sentence = "On Feb. 3, 2025, the 810th Brigade said 37 soldiers had deserted since Jan. 9."
    assert values(sentence) == [{"amount": 37, "unit": "soldiers"}]


# --- the curated corpus ----------------------------------------------------------------------

def _curated_reports():
    for path in sorted(ARTICLES.glob("*.yaml")):
        article = yaml.safe_load(path.read_text(encoding="utf-8"))
        for claim in article.get("claims") or []:
            if not claim.get("value"):
                continue
            evidence = claim["evidence"]
            for span in evidence if isinstance(evidence, list) else [evidence]:
                yield path.stem, claim["id"], claim["value"], span["exact"]


def _compared(value: dict) -> dict:
    return {key: value[key] for key in COMPARED if value.get(key) not in (None, False)}


def test_curated_values_are_found_in_their_evidence():
    reports = list(_curated_reports())
    assert reports, "no curated claim with a value"
    misses = []
    for article, claim, value, exact in reports:
        found = [_compared(f.value()) for f in find_figures(exact)]
        if _compared(value) not in found:
            misses.append(f"{article} {claim}: wanted {_compared(value)}, found {found} "
                          f"in {exact!r}")
    share = 1 - len(misses) / len(reports)
    print(f"curated values found: {len(reports) - len(misses)} of {len(reports)} ({share:.1%})")
    assert share >= 0.8, "\n".join(misses)
