"""The dates stage of the extractor (graph/extract/dates.py): stated dates and periods.

The sentences are written for these tests in the style of wire copy (Reuters, AP, Yonhap,
Ukrinform); the last test runs the stage over the curated corpus.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from graph.extract.dates import period, stated_date

ARTICLES = Path(__file__).resolve().parents[1] / "corpus" / "articles"


def date_of(value):
    """The date string of a stated value: the plain string, or the mapping's `date`."""
    return value if isinstance(value, str) or value is None else value.get("date")


def assert_inferred(value, date, *words):
    assert isinstance(value, dict), value
    assert value["date"] == date, value
    assert value["inferred"] is True
    for w in words:
        assert w in value["basis"], (w, value["basis"])


# --------------------------------------------------------------------------------------------
# Weekdays: the latest such day on or before the publication

def test_weekday_same_week():
    v = stated_date("Ukraine's air force said on Tuesday that it had shot down 42 of 61 drones "
                    "launched overnight.", "2025-03-07")
    assert_inferred(v, "2025-03-04", "'on Tuesday'", "7 March 2025")


def test_weekday_without_on_ap_style():
    v = stated_date("The Pentagon said Thursday it had no information on the report.", "2025-03-07")
    assert_inferred(v, "2025-03-06")


def test_weekday_before_the_verb():
    v = stated_date("Zelenskyy on Sunday said Kyiv would not accept a ceasefire on those terms.",
                    "2025-03-07")
    assert_inferred(v, "2025-03-02")


def test_weekday_is_the_publication_day_itself():
    v = stated_date("The Joint Chiefs of Staff said on Friday that the North fired a "
                    "ballistic missile into the East Sea.", "2025-03-07")
    assert date_of(v) == "2025-03-07"


def test_last_weekday_is_strictly_before():
    v = stated_date("\"We are running short of shells,\" the brigade commander told Reuters "
                    "last Friday.", "2025-03-07")
    assert_inferred(v, "2025-02-28", "'last Friday'")


def test_weekday_across_a_month_boundary():
    # 2 March 2025 is a Sunday: the Thursday before it is in February.
    v = stated_date("Russia's defence ministry said on Thursday its forces had taken the "
                    "village of Novoocheretuvate.", "2025-03-02")
    assert_inferred(v, "2025-02-27")


def test_weekday_across_a_year_boundary():
    v = stated_date("South Korea's spy agency told lawmakers on Monday that about 1,100 North "
                    "Korean soldiers had been killed or wounded.", "2025-01-03")
    assert_inferred(v, "2024-12-30", "30 December 2024")


def test_weekday_with_only_the_month_known():
    # February 2025 begins on a Saturday, so a Saturday in it is 1 to 22 February.
    v = stated_date("\"Our units destroyed 30 armoured vehicles in a single week,\" the "
                    "general staff said on Saturday.", "2025-02")
    assert_inferred(v, "2025-02", "'on Saturday'", "February 2025")
    assert (v["earliest"], v["latest"]) == ("2025-02-01", "2025-02-22")


def test_weekday_with_only_the_month_known_may_fall_in_the_month_before():
    # A February article of the 1st to the 3rd would mean Tuesday 28 January: kept as a bound,
    # while the date stays the month of publication, where most of the range lies.
    v = stated_date("Yonhap reported on Tuesday that the North had sent more troops.", "2025-02")
    assert_inferred(v, "2025-02")
    assert (v["earliest"], v["latest"]) == ("2025-01-28", "2025-02-25")


def test_weekday_without_a_publication_date_is_unknown():
    assert stated_date("The ministry said on Tuesday that 300 soldiers were killed.", None) is None


# --------------------------------------------------------------------------------------------
# Month and day: the year is the publication's, or the one before

def test_month_day_takes_the_publication_year():
    v = stated_date("Ukraine's top commander said on Feb. 9 that Russian losses had risen.",
                    "2025-02-14")
    assert_inferred(v, "2025-02-09", "'on Feb. 9'", "2025")


def test_month_day_across_the_year_boundary():
    v = stated_date("The Joint Chiefs of Staff said on Dec. 30 that the North had fired two "
                    "short-range missiles.", "2025-01-03")
    assert_inferred(v, "2024-12-30", "2024")


def test_month_day_day_month_order():
    v = stated_date("Ukrinform reports that the General Staff announced on 28 December that "
                    "1,500 occupiers had been eliminated.", "2025-01-03")
    assert_inferred(v, "2024-12-28")


def test_full_date_with_its_year_is_plain():
    text = ("KYIV, Jan 21 (Reuters) - The defence minister told parliament on January 19, 2025, "
            "that 48 brigades were at full strength.")
    sentence = text.split(" - ", 1)[1]
    assert stated_date(sentence, "2025-01-21", text) == "2025-01-19"
    assert stated_date("On 9 March 2025, in Jeddah, Yermak said the delegation was ready.",
                       None) == "2025-03-09"
    assert stated_date("The agency said on 2025-03-09 that talks would resume.",
                       None) == "2025-03-09"


def test_month_day_plain_when_the_article_prints_its_dateline():
    """'Jan. 19' in an article that prints its own date 'January 31, 2025': given outright."""
    text = ("by Staff Writer January 31, 2025 10:15 AM\n"
            "The army chief said on Jan. 19 that 800 soldiers had been rotated out.")
    sentence = text.splitlines()[1]
    assert stated_date(sentence, "2025-01-31", text) == "2025-01-19"


def test_month_day_inferred_when_the_year_is_printed_only_elsewhere():
    """The article prints 2025 only for another event: the year of 'Jan. 19' is worked out."""
    text = ("The troops arrived in October 2024. Reinforcements came in January 2025.\n"
            "The army chief said on Jan. 19 that 800 soldiers had been rotated out.")
    sentence = text.splitlines()[1]
    v = stated_date(sentence, "2025-01-31", text)
    assert_inferred(v, "2025-01-19", "prints 2025 elsewhere")


def test_month_day_inferred_when_the_article_prints_no_year():
    text = "Seoul, Yonhap -- The NIS said on Jan. 19 that 300 North Koreans had died."
    v = stated_date(text, "2025-01-31", text)
    assert_inferred(v, "2025-01-19", "prints no 2025")


def test_month_day_without_publication_is_unknown():
    assert stated_date("The NIS said on Jan. 19 that 300 North Koreans had died.", None) is None


# --------------------------------------------------------------------------------------------
# Months and relative dates

def test_beginning_of_a_month():
    v = stated_date("Zelenskyy announced at the beginning of January that 3,800 North Korean "
                    "soldiers had been killed or wounded.", "2025-01-14")
    assert_inferred(v, "2025-01", "'at the beginning of January'")


def test_month_without_year_before_publication_month():
    v = stated_date("The ministry said in December that 40,000 troops had been lost.", "2025-01")
    assert_inferred(v, "2024-12")


def test_last_month_across_the_year_boundary():
    v = stated_date("The U.K. defence ministry said last month that Russian casualties had "
                    "passed 800,000.", "2025-01-10")
    assert_inferred(v, "2024-12", "'last month'")


def test_yesterday_across_a_month_boundary():
    v = stated_date("Kyiv's military administration said yesterday that two people were "
                    "injured.", "2025-03-01")
    assert_inferred(v, "2025-02-28")


def test_last_week_gives_bounds():
    v = stated_date("Seoul's defence ministry said last week that the troops had pulled back.",
                    "2025-02-14")
    assert_inferred(v, "2025-02")
    assert (v["earliest"], v["latest"]) == ("2025-02-03", "2025-02-09")


def test_last_week_across_a_year_boundary_keeps_only_the_bounds():
    # The week before Wednesday 8 January 2025 runs from 30 December to 5 January: no month
    # and no year holds it, so there is no date, only the bounds.
    v = stated_date("The NIS said last week that the toll had doubled.", "2025-01-08")
    assert v["inferred"] is True and "date" not in v
    assert (v["earliest"], v["latest"]) == ("2024-12-30", "2025-01-05")
    # Counted from a Friday, the week before is wholly in December.
    assert date_of(stated_date("The NIS said last week that the toll had doubled.",
                               "2025-01-03")) == "2024-12"


def test_weeks_ago():
    v = stated_date("A spokesman said two weeks ago that the unit had been withdrawn.",
                    "2025-02-14")
    assert_inferred(v, "2025-01-31")


def test_last_named_month():
    v = stated_date("The minister said last August that the incursion would be short.",
                    "2025-02-14")
    assert_inferred(v, "2024-08", "'last August'")
    assert date_of(stated_date("The minister said last August that it was over.",
                               "2025-09-02")) == "2025-08"


def test_months_prior_counts_from_the_statement_before_it():
    text = ("Zelenskyy announced at the beginning of March that 4,000 soldiers had been "
            "killed or wounded. Two months prior, Defence Minister Rustem Umerov described "
            "only \"minor clashes\" in the region.")
    sentence = text[text.index("Two months"):]
    v = stated_date(sentence, "2025-03-20", text)
    assert_inferred(v, "2025-01", "'Two months prior'", "'at the beginning of March'")
    # Without the article there is nothing to count from.
    assert stated_date(sentence, "2025-03-20") is None


def test_recently_dates_nothing():
    assert stated_date("Zelenskyy recently revealed that 45,100 Ukrainian soldiers had been "
                       "killed.", "2025-02-14") is None


def test_no_date_at_all():
    assert stated_date("Budanov said he expects Pyongyang to send artillery units.",
                       "2025-01-31") is None


# --------------------------------------------------------------------------------------------
# Which words date the saying

def test_date_of_the_content_is_not_the_stated_date():
    assert stated_date("The NIS said that the soldiers were captured on Jan. 9 near Kursk.",
                       "2025-01-31") is None
    assert stated_date("Budanov said he expects new units to arrive on Feb. 5.",
                       "2025-01-31") is None
    # A sentence-initial date of a report whose frame comes last belongs to the content.
    assert stated_date("In December, North Korean units took part in assaults, the ministry "
                       "said.", "2025-01-31") is None


def test_said_on_x_that_y_on_z_takes_x():
    v = stated_date("Zelenskyy said on 2 March that a strike on a command post on 28 February "
                    "killed dozens of officers.", "2025-03-04")
    assert_inferred(v, "2025-03-02")


def test_quoted_words_are_not_the_frame():
    v = stated_date("\"In February alone, we destroyed 500 tanks,\" the commander-in-chief said "
                    "on Saturday.", "2025-03-05")
    assert_inferred(v, "2025-03-01")


def test_addressee_and_channel_between_verb_and_date():
    v = stated_date("The spokesman told the Kyiv Independent on Jan. 31 that no North Koreans "
                    "had been seen.", "2025-01-31")
    assert date_of(v) == "2025-01-31"
    v = stated_date("Zelenskyy said in his nightly video address on Saturday that 500 invaders "
                    "were killed.", "2025-02-14")
    assert date_of(v) == "2025-02-08"


def test_gerund_report_takes_its_date():
    v = stated_date("Ukraine reported capturing three Russian soldiers near Pokrovsk on 4 March.",
                    "2025-03-06")
    assert_inferred(v, "2025-03-04")


def test_quoted_report_dates_the_statement_it_quotes():
    v = stated_date("\"South Korea's National Intelligence Service stated on February 27 that "
                    "about 600 North Koreans had been killed,\" the ISW reported.", "2025-03-01")
    assert_inferred(v, "2025-02-27")


def test_document_published_on_a_date():
    v = stated_date("The report, published on Feb. 12, said Russia had lost 1,500 tanks.",
                    "2025-02-14")
    assert_inferred(v, "2025-02-12")


def test_according_to_the_report_refers_back_to_its_date():
    text = ("The Wall Street Journal reported, citing officials, that the units had left. "
            "The article, published on Feb. 12, said they had not been seen for weeks. "
            "Kyiv has not commented. According to the report, the troops will be retrained.")
    sentence = text[text.index("According"):]
    v = stated_date(sentence, "2025-02-14", text)
    assert_inferred(v, "2025-02-12", "'According to the report'", "'on Feb. 12'")
    # Without an earlier dated report, nothing dates it.
    assert stated_date(sentence, "2025-02-14", sentence) is None


# --------------------------------------------------------------------------------------------
# Periods

def test_period_since_mid_month():
    p = period("\"Since mid-January, there have been no signs of the troops in combat,\" the "
               "agency said on Wednesday.", "2025-02-14")
    assert p["start"] == "2025-01" and "end" not in p
    assert p["inferred"] is True and p["label"] == "since mid-January (2025)"


def test_period_in_month_before_publication_year():
    p = period("About 11,000 troops were sent to Kursk in December.", "2025-02")
    assert (p["start"], p["end"], p["label"]) == ("2024-12", "2024-12", "in December (2024)")
    assert p["inferred"] is True


def test_period_last_month_across_the_year_boundary():
    p = period("Ukraine's defence ministry estimated that 44,000 Russian troops were lost "
               "last month.", "2025-01-08")
    assert (p["start"], p["end"]) == ("2024-12", "2024-12")
    assert p["label"] == "last month (December 2024)"


def test_period_last_named_month():
    p = period("The offensive was launched last August.", "2025-02")
    assert (p["start"], p["end"], p["label"]) == ("2024-08", "2024-08", "last August (2024)")


def test_period_month_of_this_year_alone():
    p = period("\"In February of this year alone, our soldiers neutralized 12,000 invaders,\" "
               "the commander said on Monday.", "2025-03-05")
    assert (p["start"], p["end"]) == ("2025-02", "2025-02")


def test_period_so_far_ends_at_the_statement():
    p = period("The NIS stated on February 27 that so far 600 North Koreans have been killed.",
               "2025-03-01")
    assert p["end"] == "2025-02-27" and p["inferred"] is True
    assert p["label"] == "so far (to 27 February 2025)"


def test_period_by_a_month_ahead_is_future():
    p = period("Analysts predict the contingent may cease to exist by mid-March.", "2025-02-14")
    assert p["end"] == "2025-03" and p["inferred"] is True
    # The same words in an article of December look ahead into the next year.
    assert period("The force could be exhausted by mid-March.", "2024-12-20")["end"] == "2025-03"


def test_period_by_a_month_with_its_year_is_plain():
    p = period("The ISW said the force could be wiped out by mid-April 2025.", "2025-02-01")
    assert p == {"label": "by mid-April 2025", "end": "2025-04"}


def test_period_last_fall():
    p = period("North Korean troops were deployed to Kursk last fall.", "2025-01-31")
    assert (p["start"], p["end"]) == ("2024-09", "2024-11")
    assert p["label"] == "last fall (autumn 2024)"


def test_period_since_the_start_of_the_war_has_only_a_label():
    p = period("Some 46,000 Ukrainian soldiers have been killed since the start of the war.",
               "2025-02-16")
    assert p == {"label": "since the start of the war"}


def test_period_skips_the_stated_date():
    p = period("Zelenskyy said on 2 March that a strike on 28 February killed dozens of "
               "officers.", "2025-03-04")
    assert (p["start"], p["end"]) == ("2025-02-28", "2025-02-28")


def test_period_given_only_the_content_skips_a_leftover_frame_date():
    # The pipeline may pass the content cut after "said on": its opening date is the frame's.
    assert period("Feb. 9 that roughly half of the brigade had been lost.", "2025-02-14") is None
    p = period("Feb. 9 that the strike on Feb. 7 killed dozens.", "2025-02-14")
    assert p["start"] == "2025-02-07"


def test_period_printed_month_and_year():
    assert period("An estimated 11,000 troops arrived in Russia in November 2024.",
                  "2025-01-30") == {"label": "November 2024", "start": "2024-11", "end": "2024-11"}


def test_no_period():
    assert period("Budanov said he expects Pyongyang to send artillery units.",
                  "2025-01-31") is None


# --------------------------------------------------------------------------------------------
# Against the curated corpus

def _curated_stated():
    for path in sorted(ARTICLES.glob("*.yaml")):
        article = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        published = article.get("published")
        if isinstance(published, dict):
            published = published.get("date") or published.get("earliest")
        for claim in article.get("claims") or []:
            if "stated" in claim:
                yield path.stem, claim, published, text


def test_curated_stated_dates():
    total = matched = 0
    misses = []
    for article_id, claim, published, text in _curated_stated():
        want = date_of(claim["stated"])
        if want is None:
            continue    # bounds only: nothing to compare (as in graph/extract/evaluate.py)
        got = stated_date(claim["evidence"]["exact"], str(published) if published else None, text)
        total += 1
        if date_of(got) == want:
            matched += 1
        else:
            misses.append(f"{article_id} {claim['id']}: curated {want}, got {date_of(got)}\n"
                          f"    {claim['evidence']['exact']}")
    share = matched / total
    print(f"\ncurated stated dates: {matched}/{total} = {share:.1%}")
    for miss in misses:
        print("MISS", miss)
    assert total >= 10
    assert share >= 0.70, "\n".join(misses)
