"""The extractor's first stages on their own: the body and its sentences, the frames of
attribution, the names linked to entities. Sentences are written for these tests in the styles of
wire services, state media and national papers; none is copied from an article."""

from __future__ import annotations

import pytest

from graph.corpus import Entity
from graph.extract.attribution import frames
from graph.extract.entities import Gazetteer
from graph.extract.text import body_span, sentences


def spans(sentence: str) -> list[tuple[str, str, str | None, list[str]]]:
    """(speaker words, verb, addressee words, cited words) of each frame, outermost first."""
    return [(sentence[f.speaker[0]:f.speaker[1]].strip(" ,"), f.verb,
             sentence[f.addressee[0]:f.addressee[1]] if f.addressee else None,
             [sentence[a:b] for a, b in f.cited]) for f in frames(sentence)]


@pytest.mark.parametrize("sentence, expected", [
    # Reuters: speaker first, a date between verb and content.
    ("Lithuania's defence minister said on Monday that the brigade would be ready by 2027.",
     [("Lithuania's defence minister", "said", None, [])]),
    # AP: the speaker after the quotation.
    ('"We are seeing more drones every night," the mayor of Kharkiv told reporters.',
     [("the mayor of Kharkiv", "told", "reporters", [])]),
    # Yonhap: citing the source behind the speaker.
    ("The spy agency reported, citing intercepted communications, that at least 200 soldiers had died.",
     [("The spy agency", "reported", None, ["intercepted communications"])]),
    # KCNA: a leader quoted by state media, inverted form.
    ('"The army stands ready for any provocation," said Kim Jong Un.',
     [("Kim Jong Un", "said", None, [])]),
    # Ukrinform: "according to" first and last.
    ("According to the General Staff, air defences shot down 41 drones overnight.",
     [("the General Staff", "according to", None, [])]),
    ("Air defences shot down 41 drones overnight, according to the General Staff.",
     [("the General Staff", "according to", None, [])]),
    # A headline's "X says" after the content.
    ("Russian troops regroup near the border, Estonian intelligence says",
     [("Estonian intelligence", "says", None, [])]),
    # An appositive speaker after the content, with an addressee outlet.
    ("Fighting has eased in the south, the brigade's spokesman, Major Petro Ivanov, told Ukrinform on Friday.",
     [("Major Petro Ivanov", "told", "Ukrinform", [])]),
    # An agency quoting another agency inside a quotation: two frames, outer first.
    ('"The defence ministry stated on March 3 that 120 units were delivered," the think tank reported.',
     [("the think tank", "reported", None, []), ("The defence ministry", "stated", None, [])]),
])
def test_frames_of_attribution(sentence, expected):
    assert spans(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "The report by the Associated Press drew wide attention in Seoul.",   # "report" is a noun
    "Shelling continued through the night in the eastern districts.",      # no speaker at all
    '"Everything is on fire."',                                            # a quote with no speaker
])
def test_no_frame_where_nobody_is_said_to_speak(sentence):
    assert frames(sentence) == []


def test_a_verb_inside_a_quotation_does_not_make_its_speaker():
    s = 'The governor said: "They told us the bridge was safe, and it was not."'
    assert spans(s)[0][:2] == ("The governor", "said")


def test_body_and_sentences_leave_furniture_out():
    text = ("Seoul warns of new deployment\n\nby Jane Roe March 3, 2025 9:10 AM\n"
            "A soldier stands guard at a checkpoint in Paju, South Korea. (Jung Yeon-je / AFP via Getty Images)\n"
            "South Korea's military said on Monday that North Korea had sent more troops to Russia. "
            "The Joint Chiefs of Staff did not give a number.\n\n"
            "Officials in Kyiv said the troops were seen near the border with Sumy Oblast.\n"
            "Read also:\n- Another story entirely\n")
    start, end = body_span(text)
    assert text[start:end].startswith("South Korea's military said") and text[start:end].endswith("Sumy Oblast.")
    found = sentences(text)
    assert [s.text[:20] for s in found] == ["South Korea's milita", "The Joint Chiefs of ", "Officials in Kyiv sa"]
    assert all(text[s.start:s.end] == s.text for s in found)


def test_abbreviations_do_not_end_a_sentence():
    text = ("The agency reported, citing Col. Taras Petrenko, a spokesman for the unit, that the "
            "village was retaken on Jan. 12 after two days of fighting.\n")
    assert len(sentences(text, (0, len(text)))) == 1


def test_names_are_linked_longest_first_and_with_spelling_variants():
    entities = {
        "nis": Entity("nis", "GovernmentAgency", "National Intelligence Service",
                      aliases=("NIS", "South Korea's National Intelligence Service")),
        "south-korea": Entity("south-korea", "Country", "South Korea"),
        "syrskyi": Entity("syrskyi", "Person", "Oleksandr Syrskyi", aliases=("Syrskyi",)),
    }
    g = Gazetteer(entities)
    s = "South Korea's National Intelligence Service briefed lawmakers; Gen. Syrskii disagreed."
    assert [(s[m.start:m.end], m.entity) for m in g.mentions(s)] == [
        ("South Korea's National Intelligence Service", "nis"), ("Syrskii", "syrskyi")]
