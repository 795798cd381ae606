"""The automatic coder: codebooks, sentences, language, rules, model, evaluation and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from normwatch.cli.code import code as code_group
from normwatch.coding import UnsupportedLanguageError, code_text, detect_language
from normwatch.coding.codebook import (
    Codebook,
    CodebookOutline,
    codebook_outline,
    list_codebooks,
    load_codebook,
    parse_codebook,
)
from normwatch.coding.corpus import parse_labelled, read_labelled
from normwatch.coding.evaluate import bootstrap_intervals, evaluate, evaluate_file, scores
from normwatch.coding.text import split_sentences
from normwatch.errors import DataError, NormwatchError, NotFoundError, SourceError

DATA = Path(__file__).parent / "data" / "coding"
TRAIN = DATA / "train.jsonl"
BOOK_ID = "withdrawal-reaction"
CODES = [
    "mention",
    "concern",
    "call_to_reconsider",
    "reaffirm_commitment",
    "condemn_use",
    "understanding",
]


@pytest.fixture(scope="module")
def book() -> Codebook:
    return load_codebook(BOOK_ID)


def labels(text: str, lang: str | None = None) -> set[str]:
    return set(code_text(text, BOOK_ID, lang=lang).labels)


# --------------------------------------------------------------------------- codebook


def test_shipped_codebook_loads(book: Codebook) -> None:
    assert BOOK_ID in list_codebooks()
    assert book.code_ids == CODES
    assert book.multi_label is True
    assert book.languages == ("en", "fr", "es")
    assert book.code("concern").implies == ("mention",)
    assert book.closure(["call_to_reconsider"]) == {"call_to_reconsider", "mention"}
    # names of the withdrawing State live in the codebook, not in the code
    assert "Lithuania" in book.lexicon["en"].targets


def test_unknown_codebook_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="unknown codebook 'no-such-book'"):
        load_codebook("no-such-book")
    with pytest.raises(NotFoundError, match="codebook file not found"):
        load_codebook("/nonexistent/book.yaml")


_MINIMAL = """
id: tiny
version: "2"
title: Tiny
languages: [en]
objects:
  thing: {description: the thing}
lexicon:
  en:
    negation: ['not']
    objects:
      thing:
        refer: ['widget']
codes:
  - id: seen
    definition: mentions the thing
    about: [thing]
    fires_on: object
  - id: liked
    definition: likes the thing
    about: [thing]
    implies: [seen]
    patterns:
      en: {include: ['lik(?:e|es|ed)']}
"""


def test_a_new_codebook_is_just_a_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(_MINIMAL, encoding="utf-8")
    tiny = load_codebook(path)
    assert tiny.id == "tiny" and tiny.version == "2"
    result = code_text("We like the widget.", tiny, lang="en")
    assert result.labels == ["seen", "liked"]
    assert code_text("We do not like the widget.", tiny, lang="en").labels == ["seen"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("id: tiny", "id: Tiny Book"), "id: must be lower-case"),
        (("title: Tiny\n", ""), "title: is required"),
        (("languages: [en]", "languages: [english]"), r"languages\[0\]: must be an ISO 639-1"),
        (("implies: [seen]", "implies: [unseen]"), r"codes\[1\] \(liked\)\.implies: unknown code"),
        (
            ("about: [thing]\n    implies", "about: [gadget]\n    implies"),
            r"codes\[1\] \(liked\)\.about: unknown object 'gadget'",
        ),
        (
            ("'lik(?:e|es|ed)'", "'lik(?:e'"),
            r"patterns\.en\.include\[0\]: invalid regular expression",
        ),
        (("'lik(?:e|es|ed)'", "'{nothing} like'"), r"unknown macro \{nothing\}"),
        (("id: liked", "id: seen"), "duplicate code id 'seen'"),
        (
            ("  en:\n    negation", "  fr:\n    negation"),
            "lexicon.fr: language 'fr' is not in languages",
        ),
        (
            ("    definition: likes the thing\n", ""),
            r"codes\[1\] \(liked\)\.definition: is required",
        ),
    ],
)
def test_codebook_validation_names_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in _MINIMAL
    path = tmp_path / "bad.yaml"
    path.write_text(_MINIMAL.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        load_codebook(path)
    assert str(path) in str(info.value)


def test_codebook_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ncodes: [\n  - oops: : :\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.yaml:\d+: invalid YAML"):
        load_codebook(path)
    with pytest.raises(DataError, match="must be a mapping"):
        parse_codebook("- just\n- a list\n")


def test_a_process_that_loads_many_codebook_files_keeps_only_the_latest(tmp_path: Path) -> None:
    from normwatch.coding import codebook

    paths = []
    for i in range(codebook.CACHED_CODEBOOKS + 10):
        path = tmp_path / f"{i}" / "book.yaml"
        path.parent.mkdir()
        path.write_text(_MINIMAL, encoding="utf-8")
        paths.append(path)
    books = [load_codebook(p) for p in paths]
    assert len(codebook._CACHE) <= codebook.CACHED_CODEBOOKS
    assert load_codebook(paths[-1]) is books[-1]  # the latest are still cached
    assert load_codebook(paths[0]) is not books[0]  # the oldest was let go, read again
    assert load_codebook(paths[0]).codes == books[0].codes


# --------------------------------------------------------------------------- extends

_PARENT = (
    _MINIMAL.replace("'lik(?:e|es|ed)'", "'{good}'")
    .replace("refer: ['widget']", "refer: ['{thing}']")
    .replace(
        "    negation: ['not']\n",
        "    macros: {thing: widget, good: 'lik(?:e|es|ed)'}\n    negation: ['not']\n",
    )
)

_CHILD = """
id: gadgets
extends: tiny.yaml
title: Gadgets
lexicon:
  en:
    macros: {thing: gadget}
codes:
  - id: liked
    definition: likes the gadget
    patterns:
      en: {include: ['lov(?:e|es|ed)']}
  - id: hated
    definition: hates the gadget
    about: [thing]
    implies: [seen]
    patterns:
      en: ['hat(?:e|es|ed)']
"""


def _family(tmp_path: Path, child: str = _CHILD) -> Path:
    (tmp_path / "tiny.yaml").write_text(_PARENT, encoding="utf-8")
    path = tmp_path / "gadgets.yaml"
    path.write_text(child, encoding="utf-8")
    return path


def test_a_codebook_extends_another(tmp_path: Path) -> None:
    child = load_codebook(_family(tmp_path))
    assert (child.id, child.version, child.title) == ("gadgets", "2", "Gadgets")
    # mappings merge: one macro overridden, the other and the cues inherited
    assert child.lexicon["en"].macros["thing"] == "gadget"
    assert child.lexicon["en"].macros["good"] == "lik(?:e|es|ed)"
    assert [p.regex for p in child.lexicon["en"].negation] == ["not"]
    # codes merge by id: 'liked' keeps its about/implies but gets a new definition and
    # patterns (a list replaces the parent's); a new code comes last
    assert child.code_ids == ["seen", "liked", "hated"]
    liked = child.code("liked")
    assert liked.definition == "likes the gadget" and liked.implies == ("seen",)
    assert code_text("We love the gadget.", child, lang="en").labels == ["seen", "liked"]
    assert code_text("We like the gadget.", child, lang="en").labels == ["seen"]
    assert code_text("We hate the gadget.", child, lang="en").labels == ["seen", "hated"]
    assert code_text("We love the widget.", child, lang="en").labels == []
    # the parent is untouched
    parent = load_codebook(tmp_path / "tiny.yaml")
    assert code_text("We like the widget.", parent, lang="en").labels == ["seen", "liked"]


def test_extends_by_id_and_follows_changes_to_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _family(tmp_path, _CHILD.replace("extends: tiny.yaml", "extends: tiny"))
    monkeypatch.setenv("NORMWATCH_CODEBOOKS", str(tmp_path))
    assert load_codebook("gadgets").version == "2"
    (tmp_path / "tiny.yaml").write_text(
        _PARENT.replace('version: "2"', 'version: "30"'), encoding="utf-8"
    )
    assert load_codebook(path).version == "30"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("  - id: liked\n", "  - id: liked\n    implies: [unseen]\n"),
            r"gadgets\.yaml: codes\[1\] \(liked\)\.implies: unknown code 'unseen'",
        ),
        (
            ("macros: {thing: gadget}", "macros: {thing: '(gadget'}"),
            r"gadgets\.yaml: lexicon\.en\.macros\.thing: invalid regular expression",
        ),
        (
            ("extends: tiny.yaml", "extends: no-such-book"),
            r"gadgets\.yaml: extends.*unknown codebook 'no-such-book'",
        ),
        (("extends: tiny.yaml", "extends: gadgets.yaml"), r"gadgets\.yaml: extends.*loop"),
        (
            ("extends: tiny.yaml", "extends: [tiny]"),
            r"gadgets\.yaml: extends.*must name a codebook",
        ),
    ],
)
def test_extends_errors_name_the_child_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in _CHILD
    path = _family(tmp_path, _CHILD.replace(old, new, 1))
    with pytest.raises(DataError, match=message):
        load_codebook(path)


# --------------------------------------------------------------------------- APMBT codebook

APMBT = "apmbt-withdrawal-reaction"


def test_apmbt_codebook_extends_the_ccm_one() -> None:
    apmbt, ccm = load_codebook(APMBT), load_codebook(BOOK_ID)
    assert apmbt.code_ids == CODES and apmbt.languages == ccm.languages
    assert {"Estonia", "Finnish", "Latvia", "Lithuania", "Poland"} <= set(
        apmbt.lexicon["en"].targets
    )
    assert {"Finlande", "Pologne"} <= set(apmbt.lexicon["fr"].targets)
    assert {"Letonia", "polaco"} <= set(apmbt.lexicon["es"].targets)
    assert "mines" in apmbt.code("condemn_use").label
    # inherited as they are: the cues and the codes' expressions
    for got, want in [
        (apmbt.lexicon["en"].negation, ccm.lexicon["en"].negation),
        (apmbt.code("concern").include["fr"], ccm.code("concern").include["fr"]),
    ]:
        assert [p.regex for p in got] == [p.regex for p in want]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "We deeply regret Finland's decision to withdraw from the Ottawa Convention.",
            {"mention", "concern"},
        ),
        (
            "en",
            "We urge Poland to reconsider its withdrawal from the Mine Ban Treaty.",
            {"mention", "call_to_reconsider"},
        ),
        ("en", "We condemn any use of anti-personnel mines.", {"condemn_use"}),
        ("en", "We strongly condemn the use of landmines by Russian forces.", {"condemn_use"}),
        (
            "en",
            "We regret that Estonia, Latvia and Lithuania have decided to leave the "
            "Anti-Personnel Mine Ban Convention.",
            {"mention", "concern"},
        ),
        ("en", "Poland will cease to be a party to the Mine Ban Convention.", {"mention"}),
        (
            "en",
            "We remain fully committed to the Convention and to the Siem Reap-Angkor Action Plan.",
            {"reaffirm_commitment"},
        ),
        (
            "en",
            "We regret Lithuania's decision to withdraw from the Convention on Cluster Munitions.",
            set(),
        ),
        ("en", "Lithuania ceased to be a party to the Convention on Cluster Munitions.", set()),
        (
            "fr",
            "Nous regrettons profondément la décision de la Finlande de se retirer de la "
            "Convention d'Ottawa.",
            {"mention", "concern"},
        ),
        (
            "fr",
            "Nous exhortons la Pologne à reconsidérer son retrait de la Convention sur "
            "l'interdiction des mines antipersonnel.",
            {"mention", "call_to_reconsider"},
        ),
        ("fr", "Nous condamnons tout emploi de mines antipersonnel.", {"condemn_use"}),
        (
            "fr",
            "Nous regrettons le retrait de la Lituanie de la Convention sur les armes à "
            "sous-munitions.",
            set(),
        ),
        (
            "es",
            "Lamentamos profundamente la decisión de Letonia de retirarse de la Convención de "
            "Ottawa.",
            {"mention", "concern"},
        ),
        (
            "es",
            "Instamos a Polonia a reconsiderar su retirada de la Convención sobre la "
            "prohibición de minas antipersonal.",
            {"mention", "call_to_reconsider"},
        ),
        ("es", "Condenamos todo uso de minas antipersonal.", {"condemn_use"}),
        (
            "es",
            "Lamentamos la retirada de Lituania de la Convención sobre Municiones en Racimo.",
            set(),
        ),
        ("es", "Apoyamos el retiro de minas en las zonas contaminadas.", set()),  # clearance
    ],
)
def test_apmbt_codebook(lang: str, text: str, expected: set[str]) -> None:
    assert set(code_text(text, APMBT, lang=lang).labels) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We deeply regret Finland's decision to withdraw from the Ottawa Convention."),
        ("en", "Lithuania will cease to be a party to the Mine Ban Convention."),
        ("fr", "Nous regrettons la décision de la Lituanie de se retirer du traité d'Ottawa."),
        ("es", "Lamentamos la retirada de Lituania de la Convención de Ottawa."),
    ],
)
def test_an_ottawa_withdrawal_is_not_a_ccm_one(lang: str, text: str) -> None:
    assert "mention" not in labels(text, lang)


# Sentences about another treaty count for nothing, and a sentence that names no treaty speaks
# of the treaty of its paragraph (texts written for these tests).
_TOPIC_CASES = [
    (
        "en",
        "Estonia, Latvia, Lithuania and Finland have announced that they will leave the Ottawa "
        "Convention. We deplore these decisions and urge the four governments to think again.",
        set(),
        {"mention", "concern", "call_to_reconsider"},
    ),
    (
        "en",
        "Madam President, this year Lithuania also gave notice of withdrawal from the "
        "anti-personnel mine ban. We regret it deeply.\n\n"
        "As for this Convention, Lithuania's departure last March is a loss, and we hope "
        "Vilnius will come back.",
        {"mention", "concern", "call_to_reconsider"},
        {"mention", "concern"},
    ),
    (
        "fr",
        "La Lituanie, la Lettonie et l'Estonie ont notifié leur retrait du traité d'Ottawa. "
        "Nous déplorons vivement ces décisions.",
        set(),
        {"mention", "concern"},
    ),
    (
        "fr",
        "Nous regrettons que la Pologne quitte la Convention d'Ottawa.\n\n"
        "Quant à notre Convention, le retrait de la Lituanie nous préoccupe profondément.",
        {"mention", "concern"},
        {"mention", "concern"},
    ),
    (
        "es",
        "Cinco Estados, entre ellos Lituania, se retiran de la Convención de Ottawa. Lamentamos "
        "profundamente esas decisiones y les pedimos que las reconsideren.",
        set(),
        {"mention", "concern", "call_to_reconsider"},
    ),
    (
        "es",
        "Sobre las minas antipersonal, tomamos nota de la decisión de Finlandia.\n\n"
        "En cuanto a las municiones en racimo, lamentamos el retiro de Lituania.",
        {"mention", "concern"},
        {"mention"},
    ),
]


@pytest.mark.parametrize(("lang", "text", "ccm", "apmbt"), _TOPIC_CASES)
def test_each_codebook_codes_only_sentences_about_its_own_treaty(
    lang: str, text: str, ccm: set[str], apmbt: set[str]
) -> None:
    # said at a meeting of the CCM: a paragraph that names no treaty speaks of the CCM
    assert set(code_text(text, BOOK_ID, lang=lang, treaty="ccm").labels) == ccm
    assert set(code_text(text, APMBT, lang=lang, treaty="ccm").labels) == apmbt


def test_evidence_comes_from_the_paragraph_about_the_codebooks_treaty() -> None:
    text = _TOPIC_CASES[1][1]
    second = text.index("As for")
    for hit in code_text(text, BOOK_ID, lang="en", treaty="ccm").codes:
        assert all(e.start >= second for e in hit.evidence), hit
    for hit in code_text(text, APMBT, lang="en", treaty="ccm").codes:
        assert all(e.end <= second for e in hit.evidence), hit


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "This year we cleared 40 km² contaminated by anti-personnel mines. We regret "
            "Lithuania's decision to withdraw from the Convention.",
        ),
        (
            "fr",
            "Cette année, nous avons dépollué 40 km² de mines antipersonnel. Nous regrettons "
            "la décision de la Lituanie de se retirer de la Convention.",
        ),
        (
            "es",
            "Este año despejamos 40 km² de minas antipersonal. Lamentamos la decisión de "
            "Lituania de retirarse de la Convención.",
        ),
    ],
)
def test_a_weapon_named_in_passing_does_not_change_the_paragraphs_treaty(
    lang: str, text: str
) -> None:
    assert set(code_text(text, BOOK_ID, lang=lang, treaty="ccm").labels) == {"mention", "concern"}
    assert code_text(text, APMBT, lang=lang, treaty="ccm").labels == []


def test_the_meeting_decides_what_an_unnamed_convention_is() -> None:
    text = "We deeply regret Lithuania's withdrawal from the Convention."
    assert "concern" in code_text(text, BOOK_ID, lang="en", treaty="ccm").labels
    assert code_text(text, BOOK_ID, lang="en", treaty="apmbt").labels == []
    assert "concern" in code_text(text, APMBT, lang="en", treaty="apmbt").labels
    # without a meeting, a statement that names only the Mine Ban Treaty is about it
    apmbt_only = (
        "Lithuania notified its withdrawal from the Ottawa Convention in June.\n\n"
        "We regret this decision."
    )
    assert code_text(apmbt_only, BOOK_ID, lang="en").labels == []
    assert "concern" in code_text(apmbt_only, APMBT, lang="en").labels


def test_codebook_treaty_must_be_an_id(tmp_path: Path) -> None:
    bad = _MINIMAL.replace("id: tiny", "id: tiny\ntreaty: 'Not An Id'", 1)
    assert bad != _MINIMAL
    with pytest.raises(DataError, match="treaty"):
        parse_codebook(bad)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # an evaluation of the speaker's own with no object takes up the sentence before
        ("en", "Lithuania has left the Convention. We are deeply worried.", {"mention", "concern"}),
        (
            "fr",
            "La Lituanie a quitté la Convention en mars. Notre inquiétude demeure vive.",
            {"mention", "concern"},
        ),
        (
            "es",
            "Lituania abandonó la Convención en marzo. Nos duele profundamente.",
            {"mention", "concern"},
        ),
        # ... but not someone else's, nor when another thing is named
        (
            "en",
            "Lithuania has left the Convention. Several delegations said they were worried.",
            {"mention"},
        ),
        (
            "en",
            "Lithuania has left the Convention. We are deeply worried about funding.",
            {"mention"},
        ),
        # reported views after a parenthesis are still someone else's
        (
            "en",
            "Lithuania has left the Convention. Some partners, by contrast, said they "
            "understood its reasons.",
            {"mention"},
        ),
        (
            "fr",
            "La Lituanie a quitté la Convention. Certains partenaires ont dit qu'ils "
            "comprenaient ses raisons.",
            {"mention"},
        ),
        (
            "en",
            "Several Central and South American States urged Lithuania to reconsider its "
            "withdrawal.",
            {"mention"},
        ),
        (
            "es",
            "Varios Estados de América Latina y de África instaron a Lituania a reconsiderar "
            "su retiro.",
            {"mention"},
        ),
        # calling on others to condemn is not condemning; refusing to join a call is no call
        ("en", "We call on all States to condemn any use of cluster munitions.", set()),
        (
            "fr",
            "Nous appelons tous les États à condamner toute utilisation d'armes à sous-munitions.",
            set(),
        ),
        (
            "es",
            "Instamos a todos los Estados a condenar cualquier uso de municiones en racimo.",
            set(),
        ),
        (
            "en",
            "We will not add our voice to the calls on Lithuania to reconsider its withdrawal.",
            {"mention"},
        ),
        (
            "fr",
            "Nous ne nous joindrons pas aux appels lancés à la Lituanie pour qu'elle revienne "
            "sur son retrait de la Convention.",
            {"mention"},
        ),
        (
            "es",
            "No nos sumaremos a los llamamientos dirigidos a Lituania para que reconsidere su "
            "retiro de la Convención.",
            {"mention"},
        ),
        (
            "en",
            "We encourage Lithuania to consider rejoining the community of States Parties to the "
            "Convention.",
            None,
        ),
        # past calls, unheeded, are not a call now
        (
            "en",
            "Last year my delegation urged Lithuania to reconsider. Those appeals went "
            "unheeded, and Lithuania left the Convention in March.",
            {"mention"},
        ),
        (
            "fr",
            "Ma délégation avait appelé la Lituanie à reconsidérer sa décision de quitter la "
            "Convention ; cet appel est resté sans suite.",
            {"mention"},
        ),
        (
            "es",
            "Mi delegación había pedido a Lituania que reconsiderara su retiro de la Convención, "
            "sin resultado.",
            {"mention"},
        ),
        # a motion telling one's own government what to say is not the speaker's stance
        (
            "en",
            "The committee calls on the Government to express concern to Lithuania about its "
            "withdrawal from the Convention and to urge it to reconsider.",
            {"mention"},
        ),
        (
            "fr",
            "La commission invite le Gouvernement à exprimer sa préoccupation à la Lituanie au "
            "sujet de son retrait de la Convention.",
            {"mention"},
        ),
        (
            "es",
            "La Comisión insta al Gobierno a pedir a Lituania que reconsidere su retiro de la "
            "Convención.",
            {"mention"},
        ),
        # a press paraphrase of someone's government is reported
        (
            "en",
            "A diplomat told reporters that her government profoundly regretted Lithuania's "
            "decision to leave the Convention.",
            {"mention"},
        ),
        (
            "en",
            "The Lithuanian defence ministry said on Monday that it understood the worries of "
            "partners about its withdrawal from the Convention.",
            {"mention"},
        ),
        (
            "fr",
            "Le ministère lituanien a déclaré comprendre les inquiétudes suscitées par son retrait "
            "de la Convention.",
            {"mention"},
        ),
        (
            "es",
            "El ministerio lituano dijo que comprende la preocupación de sus socios por el retiro "
            "de la Convención.",
            {"mention"},
        ),
        # ... but one's own government speaks for the speaker
        (
            "en",
            "Our government said it deeply regrets Lithuania's withdrawal from the Convention.",
            {"mention", "concern"},
        ),
        # the object of a condemnation named a sentence before
        (
            "en",
            "Markets and schools were struck by cluster munitions again this year. We denounce "
            "this in the strongest terms.",
            {"condemn_use"},
        ),
        # a Lithuanian company's withdrawal from a tender
        (
            "en",
            "A Lithuanian engineering firm has announced its withdrawal from a tender for "
            "demining.",
            set(),
        ),
        # thanks for others' understanding is not the speaker's understanding
        (
            "en",
            "Lithuania has decided to leave the Convention. We thank all States Parties for "
            "their understanding.",
            {"mention"},
        ),
        # a direct appeal to the withdrawing State
        ("en", "Lithuania left the cluster munitions ban. Vilnius, come back!", None),
        ("es", "A Lituania le decimos: vuelva a la Convención.", None),
        # a sentence naming States that left only the Mine Ban Treaty is about that treaty
        (
            "en",
            "We are sorry that Lithuania, like Finland and Poland, decided to leave this "
            "Convention.",
            set(),
        ),
        (
            "fr",
            "Nous déplorons que la Lituanie, avec l'Estonie et la Lettonie, ait choisi de quitter "
            "cette Convention.",
            set(),
        ),
        (
            "es",
            "Lamentamos que Lituania, junto con Polonia y Finlandia, haya decidido abandonar esta "
            "Convención.",
            set(),
        ),
        # ... and naming one of them elsewhere does not make the statement about that treaty
        (
            "en",
            "We thank Finland for its support to clearance in Laos. We regret Lithuania's "
            "withdrawal from the Convention.",
            {"mention", "concern"},
        ),
        # one participant's proposal, reported by a chair, is not the chair's call
        (
            "en",
            "One participant suggested a joint letter urging Lithuania to reconsider its "
            "withdrawal from the Convention.",
            {"mention"},
        ),
        (
            "fr",
            "Une délégation a proposé d'inviter la Lituanie à revenir sur son retrait de la "
            "Convention.",
            {"mention"},
        ),
        (
            "es",
            "Una delegación propuso pedir a Lituania que reconsidere su retiro de la Convención.",
            {"mention"},
        ),
        # "n'en ... pas moins": a regret all the same
        (
            "fr",
            "Nous ne condamnons pas la Lituanie. Nous n'en regrettons pas moins son retrait de la "
            "Convention.",
            {"mention", "concern"},
        ),
        # a plural pronoun takes up the withdrawals
        (
            "fr",
            "Trois États ont notifié leur retrait de la Convention. Nous les déplorons.",
            {"mention", "concern"},
        ),
        # "has lost, for the first time, one of its members"
        (
            "en",
            "The Convention has lost, for the first time, one of its States Parties.",
            {"mention"},
        ),
        # another meaning of "retiro"
        (
            "es",
            "Lamentamos el retiro de la financiación de un donante y pedimos que lo reconsidere.",
            set(),
        ),
    ],
)
def test_clause_reading(lang: str, text: str, expected: set[str] | None) -> None:
    got = labels(text, lang)
    if expected is None:
        assert "call_to_reconsider" in got, got
    else:
        assert got == expected


def test_evaluate_union_scores_labels_about_either_target(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "1", "lang": "en", "labels": ["concern"],
         "text": "We deeply regret Finland's withdrawal from the Ottawa Convention."},
        {"id": "2", "lang": "en", "labels": ["concern"],
         "text": "We deeply regret Lithuania's withdrawal from the cluster munitions ban."},
    ]  # fmt: skip
    gold.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    args = ["evaluate", "--codebook", BOOK_ID, str(gold), "--format", "json"]
    alone = json.loads(CliRunner().invoke(code_group, args).output)
    both = json.loads(CliRunner().invoke(code_group, [*args, "--union-with", APMBT]).output)
    assert alone["per_code"]["concern"]["tp"] == 1
    assert both["per_code"]["concern"]["tp"] == 2
    assert both["codebook"] == f"{BOOK_ID}+{APMBT}"


def test_cli_explain_says_which_treaty_and_why_a_cue_counted() -> None:
    text = "Lithuania left the Ottawa Convention. We regret it.\n\nWe regret that Lithuania left."
    out = CliRunner().invoke(
        code_group,
        ["text", "--codebook", BOOK_ID, "--treaty", "ccm", "--explain", "--format", "json", text],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["labels"] == ["mention", "concern"]
    topics = [s["topic"] for s in data["explanation"]["sentences"]]
    assert topics == ["another treaty", "another treaty", "ccm"]
    concern = [c for c in data["explanation"]["cues"] if c["what"] == "concern"]
    assert [(c["sentence"], c["decision"]) for c in concern] == [(2, "rejected"), (3, "accepted")]
    assert concern[0]["why"] == "the sentence is about another treaty"
    table = CliRunner().invoke(code_group, ["text", "--codebook", BOOK_ID, "--explain", text])
    assert table.exit_code == 0 and "another treaty" in table.output


def test_cli_lists_both_codebooks() -> None:
    out = CliRunner().invoke(code_group, ["codebooks", "--format", "json"])
    assert out.exit_code == 0, out.output
    ids = [row["id"] for row in json.loads(out.output)]
    assert BOOK_ID in ids and APMBT in ids


# --------------------------------------------------------------------------- sentences


def test_sentence_splitting_respects_abbreviations_and_numbers() -> None:
    text = (
        "Mr. President, thank you. We regret the decision (Art. 20 of the Convention). "
        "It took effect on 6 March; 3.5 million submunitions were destroyed. "
        "Sr. Presidente: gracias. ¿Qué pasará? No sabemos. M. le Président, merci. "
        "See No. 12 of the report, etc. And more."
    )
    got = [s.text for s in split_sentences(text)]
    assert got == [
        "Mr. President, thank you.",
        "We regret the decision (Art. 20 of the Convention).",
        "It took effect on 6 March; 3.5 million submunitions were destroyed.",
        "Sr. Presidente: gracias.",
        "¿Qué pasará?",
        "No sabemos.",
        "M. le Président, merci.",
        "See No. 12 of the report, etc.",
        "And more.",
    ]


def test_paragraph_breaks_end_sentences() -> None:
    text = "Statement by a delegation\n\nWe regret it.  Thank you"
    assert [s.text for s in split_sentences(text)] == [
        "Statement by a delegation",
        "We regret it.",
        "Thank you",
    ]
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []


_ALPHABET = st.sampled_from(
    [
        *"abcXYZ .!?…\n\t,;:'\"()¿¡0123456789",
        "Mr. ",
        "Art. ",
        "No. ",
        "Sr. ",
        "etc. ",
        "U.S. ",
        "3.5 ",
        "é",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_sentence_offsets_always_slice_to_the_sentence(text: str) -> None:
    sentences = split_sentences(text)
    previous_end = 0
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= previous_end
        previous_end = s.end
    covered = "".join(s.text for s in sentences)
    assert [c for c in covered if not c.isspace()] == [c for c in text if not c.isspace()]


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("We deeply regret the decision of one State Party to leave the Convention.", "en"),
        ("We regret it.", "en"),
        ("Nous regrettons profondément la décision de la Lituanie.", "fr"),
        ("Lamentamos profundamente la decisión de Lituania.", "es"),
        ("Wir bedauern den Austritt Litauens aus dem Übereinkommen.", "de"),
        ("Мы сожалеем о решении Литвы выйти из Конвенции.", "ru"),
    ],
)
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert detect_language(text) == lang  # deterministic


def test_language_detection_gives_up_on_nothing() -> None:
    assert detect_language("") is None
    assert detect_language("12 34 !!") is None


@pytest.mark.parametrize(
    "text",
    [
        "Wir bedauern zutiefst den Austritt Litauens aus dem Übereinkommen über Streumunition.",
        "Мы глубоко сожалеем о решении Литвы выйти из Конвенции по кассетным боеприпасам.",
    ],
)
def test_unsupported_language_is_reported_not_coded(text: str) -> None:
    with pytest.raises(UnsupportedLanguageError, match="not supported") as info:
        code_text(text, BOOK_ID)
    assert info.value.supported == ("en", "fr", "es")
    with pytest.raises(UnsupportedLanguageError):
        code_text("Some text.", BOOK_ID, lang="de")


def test_language_that_cannot_be_told_is_reported() -> None:
    with pytest.raises(UnsupportedLanguageError, match="could not tell the language"):
        code_text("???", BOOK_ID)
    assert code_text("", BOOK_ID, lang="EN-gb").codes == []


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # a reference to the withdrawal, with or without evaluation
        ("We take note of the notification of withdrawal deposited last month.", "en", {"mention"}),
        (
            "My delegation is saddened that a State Party is leaving our community.",
            "en",
            {"mention", "concern"},
        ),
        (
            "Nous prenons acte de la décision d'un État partie de quitter la Convention.",
            "fr",
            {"mention"},
        ),
        (
            "Tomamos nota de la decisión de un Estado parte de abandonar la Convención.",
            "es",
            {"mention"},
        ),
        # anaphora: the evaluation is in the next sentence
        (
            "Lithuania has notified its withdrawal. My Government deeply regrets this step.",
            "en",
            {"mention", "concern"},
        ),
        (
            "La Lituanie a notifié son retrait. Cette décision nous préoccupe vivement.",
            "fr",
            {"mention", "concern"},
        ),
        (
            "Lituania notificó su retiro. Esta decisión nos causa honda preocupación.",
            "es",
            {"mention", "concern"},
        ),
        # calls, commitment, condemnation, understanding
        (
            "We urge the withdrawing State to think again and to stay in the Convention.",
            "en",
            {"mention", "call_to_reconsider"},
        ),
        (
            "Nous exhortons la Lituanie à revenir sur sa décision de se retirer.",
            "fr",
            {"mention", "call_to_reconsider"},
        ),
        (
            "Instamos a Lituania a dar marcha atrás en su decisión de retirarse.",
            "es",
            {"mention", "call_to_reconsider"},
        ),
        (
            "We reaffirm our steadfast commitment to the Convention on Cluster Munitions.",
            "en",
            {"reaffirm_commitment"},
        ),
        (
            "Nous condamnons tout emploi d'armes à sous-munitions, par quelque acteur que ce soit.",
            "fr",
            {"condemn_use"},
        ),
        (
            "Respetamos la decisión soberana de Lituania de retirarse de la Convención.",
            "es",
            {"mention", "understanding"},
        ),
    ],
)
def test_rules_code_what_they_should(text: str, lang: str, expected: set[str]) -> None:
    assert labels(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("We do not regret the decision of Lithuania to withdraw.", "en", {"mention"}),
        ("We are not worried about the withdrawal as such.", "en", {"mention"}),
        ("Nous ne regrettons pas le retrait de la Lituanie.", "fr", {"mention"}),
        ("No lamentamos el retiro de Lituania; lamentamos las circunstancias.", "es", {"mention"}),
        # negated idioms that are not negations
        ("We cannot but regret the withdrawal of Lithuania.", "en", {"mention", "concern"}),
        ("Nous ne pouvons que regretter le retrait de la Lituanie.", "fr", {"mention", "concern"}),
        ("No podemos sino lamentar el retiro de Lituania.", "es", {"mention", "concern"}),
    ],
)
def test_negation(text: str, lang: str, expected: set[str]) -> None:
    assert labels(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Should any State consider leaving the Convention, we would deeply regret it.", "en"),
        ("If another State were to withdraw, the norm would suffer.", "en"),
        ("Si un autre État devait se retirer de la Convention, nous le regretterions.", "fr"),
        ("Si algún Estado decidiera retirarse de la Convención, lo lamentaríamos.", "es"),
    ],
)
def test_hypothetical_withdrawals_are_not_the_withdrawal(text: str, lang: str) -> None:
    assert labels(text, lang) == set()


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "We regret the funding shortfall of the support unit, and we note the withdrawal of "
            "Lithuania.",
            "en",
            {"mention"},
        ),
        (
            "We regret the delays in clearance. The decision of one State to withdraw is noted.",
            "en",
            {"mention"},
        ),
        (
            "Nous regrettons le manque de financement et prenons note du retrait de la Lituanie.",
            "fr",
            {"mention"},
        ),
        (
            "Lamentamos la falta de financiación y tomamos nota del retiro de Lituania.",
            "es",
            {"mention"},
        ),
        ("We are concerned by reports of new use of cluster munitions.", "en", set()),
        ("The withdrawal of donor funding from mine action programmes worries us.", "en", set()),
    ],
)
def test_evaluations_of_other_things(text: str, lang: str, expected: set[str]) -> None:
    assert labels(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Many delegations expressed regret at the withdrawal of Lithuania and called on it to "
            "reconsider.",
            "en",
        ),
        (
            "De nombreuses délégations ont exprimé leurs regrets face au retrait de la Lituanie.",
            "fr",
        ),
        ("Numerosas delegaciones expresaron su pesar por el retiro de Lituania.", "es"),
    ],
)
def test_views_reported_from_others_are_not_the_speakers(text: str, lang: str) -> None:
    assert labels(text, lang) == {"mention"}


def test_implications_and_evidence(book: Codebook) -> None:
    text = (
        "Thank you, Mr. President. We deeply regret this step. Lithuania has decided to "
        "leave the Convention."
    )
    result = code_text(text, book, lang="en")
    assert result.labels == ["mention", "concern"]
    concern = result.hit("concern")
    mention = result.hit("mention")
    assert concern is not None and mention is not None
    assert 0 < concern.confidence <= 1
    for hit in result.codes:
        for ev in hit.evidence:
            assert text[ev.start : ev.end] == ev.quote
    assert any("regret" in ev.quote for ev in concern.evidence)
    data = result.to_dict()
    assert data["labels"] == ["mention", "concern"]
    assert data["codes"][1]["evidence"][0]["quote"] == concern.evidence[0].quote


def test_implied_code_gets_the_evidence_of_what_implies_it() -> None:
    result = code_text("We call on Lithuania to reconsider.", BOOK_ID, lang="en")
    assert result.labels == ["mention", "call_to_reconsider"]
    mention = result.hit("mention")
    assert mention is not None and mention.implied_by == ["call_to_reconsider"]
    assert mention.evidence and mention.evidence == result.codes[1].evidence


def _statements() -> list[dict[str, object]]:
    rows = []
    for path in sorted(DATA.glob("*.jsonl")):
        rows += [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return rows


def test_evidence_spans_slice_the_text_on_every_statement(book: Codebook) -> None:
    rows = _statements()
    assert len(rows) > 400
    for row in rows:
        text = str(row["text"])
        result = code_text(text, book, lang=str(row["lang"]))
        for hit in result.codes:
            assert hit.evidence, (row["id"], hit.code)
            for ev in hit.evidence:
                assert text[ev.start : ev.end] == ev.quote, (row["id"], hit.code)


# --------------------------------------------------------------------------- evaluation


def _tiny_book() -> Codebook:
    return parse_codebook(_MINIMAL)


def test_metrics_on_a_hand_computed_example() -> None:
    # gold vs predicted, codes a and b:
    #   1: {a}    {a}     a: tp
    #   2: {a,b}  {a}     a: tp, b: fn
    #   3: {}     {b}     b: fp
    #   4: {b}    {b}     b: tp
    pairs = [({"a"}, {"a"}), ({"a", "b"}, {"a"}), (set(), {"b"}), ({"b"}, {"b"})]
    s = scores(pairs, ["a", "b"])
    assert s["per_code"]["a"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 2,
        "tp": 2,
        "fp": 0,
        "fn": 0,
    }
    b = s["per_code"]["b"]
    assert (b["precision"], b["recall"], b["support"]) == (0.5, 0.5, 2)
    assert b["f1"] == 0.5
    assert s["macro_f1"] == 0.75  # (1.0 + 0.5) / 2
    assert s["micro_f1"] == round(2 * 3 / (2 * 3 + 1 + 1), 4)  # tp 3, fp 1, fn 1 → 0.75
    # a code neither in the gold nor predicted has no F1 and is left out of the macro mean
    s2 = scores([({"a"}, {"a"})], ["a", "b"])
    assert s2["per_code"]["b"]["f1"] is None and s2["macro_f1"] == 1.0


def test_evaluate_reports_errors_and_languages() -> None:
    tiny = _tiny_book()
    items = parse_labelled(
        [
            '{"id": "1", "lang": "en", "text": "We like the widget.", "labels": ["liked"]}',
            '{"id": "2", "lang": "en", "text": "A widget.", "labels": ["seen"], "extra": 1}',
            '{"id": "3", "lang": "en", "text": "Nothing here.", "labels": ["seen"]}',
            '{"id": "4", "lang": "de", "text": "Ein Widget.", "labels": ["seen"]}',
        ],
        tiny,
    )
    assert items[0].labels == {"liked", "seen"}  # implications complete the gold

    def predict(item: object) -> set[str]:
        return set(code_text(item.text, tiny, lang=item.lang).labels)  # type: ignore[attr-defined]

    result = evaluate(items, predict, tiny, method="rules")
    assert set(result) >= {"per_code", "macro_f1", "micro_f1", "per_language", "errors"}
    assert result["per_code"]["seen"]["support"] == 4
    assert result["per_code"]["seen"]["tp"] == 2
    assert result["per_code"]["liked"]["f1"] == 1.0
    assert result["unsupported"] == 1
    errors = {e["id"]: e for e in result["errors"]}
    assert set(errors) == {"3", "4"}
    assert errors["3"]["missing"] == ["seen"] and errors["3"]["predicted"] == []
    assert "unsupported language" in errors["4"]["error"]
    assert set(result["per_language"]) == {"de", "en"}
    assert result["per_language"]["en"]["n"] == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from("abc")), st.sets(st.sampled_from("abc"))),
        min_size=1,
        max_size=30,
    )
)
def test_per_code_f1_agrees_with_scikit_learn(pairs: list[tuple[set[str], set[str]]]) -> None:
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]
    from sklearn.preprocessing import MultiLabelBinarizer  # type: ignore[import-untyped]

    codes = ["a", "b", "c"]
    binarizer = MultiLabelBinarizer(classes=codes).fit([codes])
    gold = binarizer.transform([g for g, _ in pairs])
    pred = binarizer.transform([p for _, p in pairs])
    s = scores(pairs, codes)
    theirs = f1_score(gold, pred, average=None, zero_division=np.nan)
    for code, value in zip(codes, theirs, strict=True):
        ours = s["per_code"][code]["f1"]
        assert (ours is None) == bool(np.isnan(value))
        if ours is not None:
            assert ours == pytest.approx(value, abs=1e-4)
    if (gold.sum() + pred.sum()) > 0:
        micro = f1_score(gold, pred, average="micro")
        assert s["micro_f1"] == pytest.approx(micro, abs=1e-4)


def test_bootstrap_intervals_are_reproducible_and_bracket_the_estimate() -> None:
    pairs = [({"a"}, {"a"})] * 12 + [({"a"}, set())] * 4 + [(set(), {"a"})] * 2
    pairs += [({"b"}, {"b"})] * 3 + [(set(), set())] * 9
    first = bootstrap_intervals(pairs, ["a", "b"])
    assert first == bootstrap_intervals(pairs, ["a", "b"])
    point = scores(pairs, ["a", "b"])
    low, high = first["per_code"]["a"]
    assert low <= point["per_code"]["a"]["f1"] <= high and low < high
    # b is always right when it occurs: the interval is a point at 1
    assert first["per_code"]["b"] == [1.0, 1.0]
    assert first["macro"][0] <= point["macro_f1"] <= first["macro"][1]
    # more statements of the same kind narrow the interval
    wide = bootstrap_intervals(pairs[:18], ["a"])["per_code"]["a"]
    narrow = bootstrap_intervals(pairs[:18] * 10, ["a"])["per_code"]["a"]
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    # a code that is never in the gold nor predicted has no interval
    assert bootstrap_intervals([({"a"}, {"a"})], ["a", "c"])["per_code"]["c"] is None


def test_evaluate_reports_scores_per_family() -> None:
    tiny = _tiny_book()
    items = parse_labelled(
        [
            '{"id": "1", "lang": "en", "text": "We like the widget.", "labels": ["liked"],'
            ' "family": "plain"}',
            '{"id": "2", "lang": "en", "text": "Nothing here.", "labels": ["seen"],'
            ' "family": "wording"}',
            '{"id": "3", "lang": "en", "text": "A widget.", "labels": ["seen"]}',
        ],
        tiny,
    )

    def predict(item: object) -> set[str]:
        return set(code_text(item.text, tiny, lang=item.lang).labels)  # type: ignore[attr-defined]

    result = evaluate(items, predict, tiny, method="rules")
    assert set(result["per_family"]) == {"plain", "wording"}
    assert result["per_family"]["plain"]["macro_f1"] == 1.0
    assert result["per_family"]["wording"]["per_code"]["seen"]["fn"] == 1
    assert [e["family"] for e in result["errors"]] == ["wording"]
    assert result["per_code"]["seen"]["f1_ci"] is not None
    assert result["bootstrap"]["resamples"] > 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "text": "t", "labels": [], "family": 3}', r"gold\.jsonl:2: 'family' must"),
        ("{not json", r"gold\.jsonl:2: not valid JSON"),
        ('["a list"]', r"gold\.jsonl:2: each line must be a JSON object"),
        ('{"id": "x", "text": "t", "labels": ["nope"]}', r"gold\.jsonl:2: unknown code\(s\) nope"),
        ('{"id": "x", "text": 5, "labels": []}', r"gold\.jsonl:2: 'text' must be a string"),
        ('{"id": "1", "text": "t", "labels": []}', r"gold\.jsonl:2: duplicate id '1'"),
        ('{"text": "t", "labels": []}', r"gold\.jsonl:2: 'id' must be"),
    ],
)
def test_bad_gold_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"id": "1", "lang": "en", "text": "t", "labels": []}\n' + line + "\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=message):
        read_labelled(gold, load_codebook(BOOK_ID))


def test_missing_gold_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        read_labelled(tmp_path / "none.jsonl", load_codebook(BOOK_ID))


@pytest.mark.parametrize("name", ["test", "independent", "blind"])
def test_rules_quality_on_held_out_sets(book: Codebook, name: str) -> None:
    """The issue's bar on the held-out test set, and the same bar on the two sets written apart
    from the patterns (INDEPENDENT.md, BLIND.md): macro F1 at least 0.85, no code under 0.75."""
    result = evaluate_file(DATA / f"{name}.jsonl", book, method="rules")
    per_code = {c: v["f1"] for c, v in result["per_code"].items()}
    assert result["macro_f1"] >= 0.85, per_code
    assert all(f1 is not None and f1 >= 0.75 for f1 in per_code.values()), per_code


# --------------------------------------------------------------------------- model


def test_model_train_save_load_round_trip(tmp_path: Path, book: Codebook) -> None:
    from normwatch.coding.classifier import load_model, train

    if TRAIN.exists():
        examples = read_labelled(TRAIN, book)
    else:  # a small invented set keeps the test meaningful before the corpus exists
        examples = parse_labelled(
            [
                json.dumps({"id": str(i), "lang": "en", "text": t, "labels": y})
                for i, (t, y) in enumerate(
                    [
                        ("We regret the withdrawal of Lithuania.", ["concern"]),
                        ("We condemn any use of cluster munitions.", ["condemn_use"]),
                        ("We reaffirm our commitment to the Convention.", ["reaffirm_commitment"]),
                        (
                            "We call on Lithuania to reconsider its withdrawal.",
                            ["call_to_reconsider"],
                        ),
                        (
                            "We understand the security concerns behind the withdrawal.",
                            ["understanding"],
                        ),
                        ("We note the withdrawal of Lithuania.", ["mention"]),
                        ("Clearance progressed well this year.", []),
                    ]
                    * 3
                )
            ],
            book,
        )
    bundle = train(examples, book)
    meta = bundle.metadata
    assert meta["n_examples"] == len(examples)
    assert meta["codebook_id"] == BOOK_ID and meta["codebook_version"] == book.version
    assert set(meta["label_counts"]) == set(CODES)
    assert meta["sklearn_version"] and meta["trained_at"]

    path = bundle.save(tmp_path / "models" / "coder.npz")
    loaded = load_model(path)
    assert loaded.metadata == meta
    texts = [e.text for e in examples[:20]]
    assert loaded.predict(texts) == bundle.predict(texts)
    assert loaded.probabilities(texts) == bundle.probabilities(texts)  # the same numbers

    text = (
        "Thank you. We deeply regret the decision of Lithuania to withdraw from the "
        "Convention. We condemn any use of cluster munitions."
    )
    result = code_text(text, book, lang="en", method="model", model=path)
    assert result.method == "model"
    assert "mention" in result.labels or "concern" not in result.labels  # implications hold
    for hit in result.codes:
        for ev in hit.evidence:
            assert text[ev.start : ev.end] == ev.quote


def test_model_file_errors(tmp_path: Path, book: Codebook) -> None:
    from normwatch.coding.classifier import load_model

    bad = tmp_path / "not-a-model.npz"
    bad.write_bytes(b"this is not a model")
    with pytest.raises(DataError, match="not a normwatch model file"):
        load_model(bad)
    with pytest.raises(SourceError, match="model file not found"):
        load_model(tmp_path / "missing.npz")
    with pytest.raises(SourceError, match="not a regular file"):
        load_model("/dev/zero")
    with pytest.raises(NormwatchError, match="needs a trained model"):
        code_text("We regret it.", book, lang="en", method="model")


class _RunsCode:
    """A pickle of this would create ``marker`` when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))


def test_a_model_file_that_would_run_code_is_refused_unread(tmp_path: Path) -> None:
    import pickle
    import zipfile

    from normwatch.coding.classifier import load_model

    marker = tmp_path / "ran"
    payload = pickle.dumps(_RunsCode(marker))
    old = tmp_path / "old-format.joblib"  # the former format: a pickle
    old.write_bytes(payload)
    with pytest.raises(DataError, match="is a pickle, which could run code"):
        load_model(old)
    disguised = tmp_path / "disguised.npz"  # a pickled array inside the archive
    with zipfile.ZipFile(disguised, "w") as z:
        z.writestr("header.npy", payload)
    with pytest.raises(DataError, match="not a normwatch model file"):
        load_model(disguised)
    assert not marker.exists()


# --------------------------------------------------------------------------- CLI


def test_cli_text_prints_codes_and_evidence() -> None:
    runner = CliRunner()
    result = runner.invoke(
        code_group,
        [
            "text",
            "--codebook",
            BOOK_ID,
            "--format",
            "json",
            "We deeply regret Lithuania's withdrawal.",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["lang"] == "en" and data["labels"] == ["mention", "concern"]
    assert data["codes"][1]["evidence"][0]["quote"] == "We deeply regret Lithuania's withdrawal."
    piped = runner.invoke(
        code_group,
        ["text", "--codebook", BOOK_ID, "--lang", "fr", "--format", "json", "-"],
        input="Nous condamnons tout emploi d'armes à sous-munitions.",
    )
    assert json.loads(piped.output)["labels"] == ["condemn_use"]
    table = runner.invoke(
        code_group, ["text", "--codebook", BOOK_ID, "We deeply regret Lithuania's withdrawal."]
    )
    assert table.exit_code == 0, table.output
    assert "concern" in table.output and "We deeply regret" in table.output
    csv_out = runner.invoke(
        code_group,
        [
            "text",
            "--codebook",
            BOOK_ID,
            "--format",
            "csv",
            "We deeply regret Lithuania's withdrawal.",
        ],
    )
    lines = csv_out.output.splitlines()
    assert lines[0] == "code,confidence,evidence"
    assert [line.split(",")[0] for line in lines[1:]] == ["mention", "concern"]


def test_cli_train_and_evaluate(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": "a",
                    "lang": "en",
                    "text": "We regret the withdrawal of Lithuania.",
                    "labels": ["mention", "concern"],
                },
                {
                    "id": "b",
                    "lang": "fr",
                    "text": "Nous condamnons tout emploi de ces armes.",
                    "labels": ["condemn_use"],
                },
                {
                    "id": "c",
                    "lang": "es",
                    "text": "Reafirmamos nuestro compromiso con la Convención.",
                    "labels": ["reaffirm_commitment"],
                },
                {"id": "d", "lang": "en", "text": "Clearance went well.", "labels": []},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    out = runner.invoke(
        code_group, ["evaluate", "--codebook", BOOK_ID, str(gold), "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["macro_f1"] == 1.0 and result["errors"] == []
    assert set(result["per_language"]) == {"en", "fr", "es"}
    table = runner.invoke(code_group, ["evaluate", "--codebook", BOOK_ID, str(gold)])
    assert table.exit_code == 0 and "macro" in table.output

    model = tmp_path / "m.npz"
    trained = runner.invoke(
        code_group, ["train", "--codebook", BOOK_ID, str(gold), "--out", str(model)]
    )
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.output)["n_examples"] == 4 and model.exists()
    by_model = runner.invoke(
        code_group,
        ["evaluate", "--codebook", BOOK_ID, str(gold), "--model", str(model), "--format", "json"],
    )
    assert by_model.exit_code == 0, by_model.output
    assert json.loads(by_model.output)["method"] == "model"


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (["text", "--codebook", "nope", "hello"], NotFoundError, "unknown codebook 'nope'"),
        (["evaluate", "--codebook", BOOK_ID, "/no/such/gold.jsonl"], SourceError, "not found"),
        (
            ["text", "--codebook", BOOK_ID, "--method", "model", "We regret it."],
            NormwatchError,
            "needs --model",
        ),
        (
            ["text", "--codebook", BOOK_ID, "Wir bedauern den Austritt aus dem Übereinkommen."],
            UnsupportedLanguageError,
            "'de' is not supported",
        ),
    ],
)
def test_cli_errors_are_normwatch_errors(
    args: list[str], error: type[Exception], message: str
) -> None:
    result = CliRunner().invoke(code_group, args)
    assert result.exit_code != 0
    assert isinstance(result.exception, error), result.exception
    assert message in str(result.exception)


def test_cli_bad_gold_line(tmp_path: Path) -> None:
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": 1, "text": "x", "labels": []}\n{oops\n', encoding="utf-8")
    result = CliRunner().invoke(code_group, ["evaluate", "--codebook", BOOK_ID, str(gold)])
    assert isinstance(result.exception, DataError)
    assert f"{gold}:2: not valid JSON" in str(result.exception)


# --------------------------------------------------------------------------- outlines


@pytest.mark.parametrize("book_id", list_codebooks())
def test_a_codebooks_outline_is_what_the_full_load_gives(book_id: str) -> None:
    outline = codebook_outline(book_id)
    book = load_codebook(book_id)
    assert outline == CodebookOutline.of(book)
    assert outline.code_ids == book.code_ids
    for code in book.code_ids:
        assert outline.closure([code]) == book.closure([code])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("id: tiny", "id: Tiny Book", r"id: must be lower-case"),
        ("implies: [seen]", "implies: [nothing]", r"implies: unknown code 'nothing'"),
    ],
)
def test_an_outline_of_a_misshapen_codebook_names_the_problem_as_the_full_load_does(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in _MINIMAL
    path = tmp_path / "bad.yaml"
    path.write_text(_MINIMAL.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        codebook_outline(str(path))
