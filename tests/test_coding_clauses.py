"""Clause-level reading of the rules method, in English, French and Spanish: sentences about
both treaties, asides, denied acts, reported and delegated frames, the acting State's own
voice, fragments that evaluate the sentence beside them, and other senses of the cue words.

Every text here is written for these tests."""

from __future__ import annotations

import pytest

from normwatch.coding import code_text
from normwatch.coding.codebook import load_codebook
from normwatch.coding.patterns import explain_rules

CCM = "withdrawal-reaction"
APMBT = "apmbt-withdrawal-reaction"


def labels(text: str, lang: str, book: str = CCM) -> set[str]:
    return set(code_text(text, book, lang=lang).labels)


# --------------------------------------------------------------------------- both treaties


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Estonia left the Mine Ban Treaty this year. Lithuania has now left both treaties, "
            "and we deeply regret both decisions.",
        ),
        (
            "fr",
            "L'Estonie a quitté la Convention d'Ottawa cette année. La Lituanie a maintenant "
            "quitté les deux traités, et nous regrettons profondément ces décisions.",
        ),
        (
            "es",
            "Estonia abandonó la Convención de Ottawa este año. Lituania ha abandonado ahora "
            "ambos tratados, y lamentamos profundamente estas decisiones.",
        ),
    ],
)
def test_a_sentence_about_both_treaties_counts_for_each(lang: str, text: str) -> None:
    assert labels(text, lang, CCM) == {"mention", "concern"}
    assert labels(text, lang, APMBT) == {"mention", "concern"}
    topics = [s["topic"] for s in explain_rules(text, load_codebook(CCM), lang)["sentences"]]
    assert topics == ["another treaty", "ccm and another"]


# --------------------------------------------------------------------------- asides


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Lithuania, which had already left the Convention on Cluster Munitions, has now "
            "also left the Ottawa Convention. We regret this decision.",
        ),
        (
            "fr",
            "La Lituanie, qui avait déjà quitté la Convention sur les armes à sous-munitions, "
            "quitte maintenant la Convention d'Ottawa. Nous regrettons cette décision.",
        ),
        (
            "es",
            "Lituania, que ya había abandonado la Convención sobre Municiones en Racimo, "
            "abandona ahora la Convención de Ottawa. Lamentamos esta decisión.",
        ),
    ],
)
def test_a_treaty_named_in_an_aside_decides_only_the_aside(lang: str, text: str) -> None:
    # the CCM exit is mentioned in the aside; what is regretted is the main clause's act
    assert labels(text, lang, CCM) == {"mention"}
    assert labels(text, lang, APMBT) == {"mention", "concern"}
    told = explain_rules(text, load_codebook(CCM), lang)
    assert told["sentences"][0]["topic"] == "another treaty"
    accepted = [c for c in told["cues"] if c["decision"] == "accepted"]
    assert [c["what"] for c in accepted if c["what"] == "reference to withdrawal"]
    aside_end = told["sentences"][0]["text"].index(",", 12)
    assert all(c["start"] < aside_end for c in accepted)


# --------------------------------------------------------------------------- denials


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Ukraine has announced that it suspends the Convention. This is not a withdrawal "
            "under Article 20. Its officials insist that the country is not withdrawing.",
        ),
        (
            "fr",
            "L'Ukraine a annoncé qu'elle suspend l'application de la Convention. Ce n'est pas "
            "un retrait au sens de l'article 20, et le pays ne se retire pas.",
        ),
        (
            "es",
            "Ucrania anunció que suspende la aplicación de la Convención. No se trata de una "
            "retirada conforme al artículo 20, y el país no se retira del tratado.",
        ),
    ],
)
def test_a_denied_act_is_no_mention(lang: str, text: str) -> None:
    assert "mention" not in labels(text, lang)
    cues = explain_rules(text, load_codebook(CCM), lang)["cues"]
    assert any(c["why"].startswith("denied") for c in cues)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Our concern today is not Lithuania's withdrawal but the funding gap."),
        ("fr", "La dénonciation de la Lituanie n'est pas une surprise."),
        ("es", "La retirada de Lituania no es una sorpresa."),
    ],
)
def test_a_denial_that_is_not_about_the_act_leaves_the_mention(lang: str, text: str) -> None:
    assert "mention" in labels(text, lang)


# --------------------------------------------------------------------------- reported frames


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "The minister of a neighbouring State said on Tuesday that his Government deeply "
            "regretted Lithuania's withdrawal and had asked Vilnius to reconsider.",
        ),
        (
            "fr",
            "Le ministre d'un pays voisin a déclaré mardi que son gouvernement regrettait "
            "profondément le retrait de la Lituanie et l'invitait à reconsidérer sa décision.",
        ),
        (
            "es",
            "El ministro de un país vecino declaró el martes que su gobierno lamentaba "
            "profundamente la retirada de Lituania y le pedía que reconsiderara su decisión.",
        ),
    ],
)
def test_reported_speech_is_someone_elses_to_the_end_of_the_sentence(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention"}
    cues = explain_rules(text, load_codebook(CCM), lang)["cues"]
    framed = {c["what"] for c in cues if c["why"].endswith("reported or delegated frame)")}
    assert "concern" in framed


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "As we said last year, we deeply regret Lithuania's withdrawal."),
        ("fr", "Comme nous l'avons dit, nous regrettons profondément le retrait de la Lituanie."),
        ("es", "Como dijimos, lamentamos profundamente la retirada de Lituania."),
    ],
)
def test_the_speakers_own_earlier_words_are_its_own(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention", "concern"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The Government should, in my view, ask Vilnius to reconsider its withdrawal."),
        (
            "fr",
            "Le gouvernement devrait, selon moi, demander à Vilnius de revenir sur son retrait.",
        ),
        ("es", "El gobierno debería, a mi juicio, pedir a Lituania que reconsidere su retirada."),
    ],
)
def test_what_a_government_should_ask_is_not_the_speakers_call(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "We call on the Governments of our region to condemn, at the next meeting, any use "
            "of cluster munitions.",
        ),
        (
            "fr",
            "Nous appelons les gouvernements de la région à condamner lors de la prochaine "
            "réunion tout emploi d'armes à sous-munitions.",
        ),
        (
            "es",
            "Hacemos un llamado a los gobiernos de la región para que, en la próxima reunión, "
            "condenen todo empleo de municiones en racimo.",
        ),
    ],
)
def test_calling_on_others_to_condemn_is_not_a_condemnation(lang: str, text: str) -> None:
    assert "condemn_use" not in labels(text, lang)


# --------------------------------------------------------------------------- the acting State


@pytest.mark.parametrize(
    ("lang", "own", "other"),
    [
        (
            "en",
            "Our decision to withdraw from the Convention was not taken lightly. We remain "
            "committed to the Convention's humanitarian goals.",
            "Lithuania's decision to withdraw from the Convention was not taken lightly. We "
            "remain committed to the Convention's humanitarian goals.",
        ),
        (
            "fr",
            "Notre décision de nous retirer de la Convention n'a pas été prise à la légère. "
            "Nous restons attachés à la mise en œuvre intégrale de la Convention.",
            "La décision de la Lituanie de se retirer de la Convention n'a pas été prise à la "
            "légère. Nous restons attachés à la mise en œuvre intégrale de la Convention.",
        ),
        (
            "es",
            "Nuestra decisión de retirarnos de la Convención no fue tomada a la ligera. "
            "Reafirmamos nuestro compromiso con la Convención.",
            "La decisión de Lituania de retirarse de la Convención no fue tomada a la ligera. "
            "Reafirmamos nuestro compromiso con la Convención.",
        ),
    ],
)
def test_the_acting_state_describing_its_own_loyalty_is_no_reaction(
    lang: str, own: str, other: str
) -> None:
    assert labels(own, lang) == {"mention"}
    assert {"understanding", "reaffirm_commitment"} <= labels(other, lang)
    cues = explain_rules(own, load_codebook(CCM), lang)["cues"]
    assert any(c["why"] == "the speaker is the State that took the act" for c in cues)


# --------------------------------------------------------------------------- fragments


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Lithuania is no longer a party to the Convention. A sad precedent."),
        ("fr", "La Lituanie n'est plus partie à la Convention. Un triste précédent."),
        ("es", "Lituania ya no es parte de la Convención. Un triste precedente."),
    ],
)
def test_a_fragment_evaluates_the_sentence_before(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention", "concern"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "We do not hide our deep concern. Lithuania's withdrawal opens a breach in the norm.",
        ),
        ("fr", "Je ne vous cache pas mon inquiétude. Le retrait de la Lituanie ouvre une brèche."),
        ("es", "No ocultamos nuestra preocupación. La retirada de Lituania abre una brecha."),
    ],
)
def test_an_evaluation_with_no_object_takes_up_the_next_sentences_opening(
    lang: str, text: str
) -> None:
    assert labels(text, lang) == {"mention", "concern"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "We deeply regret. On clearance and on victim assistance, Lithuania's withdrawal "
            "changes little.",
        ),
        (
            "fr",
            "Nous regrettons profondément. En matière de dépollution et d'aide aux victimes, le "
            "retrait de la Lituanie change peu.",
        ),
        (
            "es",
            "Lamentamos profundamente. En materia de limpieza y de asistencia a las víctimas, la "
            "retirada de Lituania cambia poco.",
        ),
    ],
)
def test_a_reference_later_in_the_next_sentence_is_not_taken_up(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention"}


# --------------------------------------------------------------------------- other senses


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "After the withdrawal of the peacekeeping contingents, national teams resumed "
            "clearance alone. It is understood that the mission will hand its maps to Lithuania.",
        ),
        (
            "fr",
            "Après le retrait des contingents de la mission, les équipes nationales ont repris "
            "seules la dépollution. Il est entendu que la mission remettra ses cartes à la "
            "Lituanie.",
        ),
        (
            "es",
            "Tras la retirada de los contingentes de la misión, los equipos nacionales "
            "retomaron solos la limpieza. Queda entendido que la misión entregará sus mapas a "
            "Lituania.",
        ),
    ],
)
def test_troops_leaving_and_understood_as_expected_are_no_reaction(lang: str, text: str) -> None:
    assert labels(text, lang) == set()


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Its sponsors asked for the withdrawal of item 9 from the agenda.", set()),
        ("en", "The withdrawal of Lithuania from the Convention is regrettable.", {"concern"}),
        ("fr", "Le groupe a obtenu le retrait de l'amendement sur le calendrier.", set()),
        ("fr", "Nous regrettons le retrait de la Lituanie de la Convention.", {"concern"}),
        ("es", "La Mesa anunció el retiro de la propuesta de programa de trabajo.", set()),
        ("es", "Lamentamos el retiro de Lituania de la Convención.", {"concern"}),
    ],
)
def test_withdrawing_an_agenda_item_a_proposal_or_an_amendment_is_another_sense(
    lang: str, text: str, expected: set[str]
) -> None:
    assert labels(text, lang) - {"mention"} == expected
    assert ("mention" in labels(text, lang)) == bool(expected)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We condemn without reservation the laying of anti-personnel mines by any party."),
        ("fr", "Nous condamnons sans nuance la pose de mines antipersonnel par quiconque."),
        ("es", "Condenamos sin matices la siembra de minas antipersonal por cualquier actor."),
    ],
)
def test_laying_mines_is_their_use(lang: str, text: str) -> None:
    assert labels(text, lang, APMBT) == {"condemn_use"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Lithuania, which ceased to be a party to this Convention in March, has now also "
            "announced its withdrawal from the Ottawa Convention.",
        ),
        (
            "fr",
            "La Lituanie, qui a cessé d'être partie à cette Convention en mars, a maintenant "
            "aussi annoncé son retrait de la Convention d'Ottawa.",
        ),
        (
            "es",
            "Lituania, que dejó de ser parte de esta Convención en marzo, ha anunciado ahora "
            "también su retirada de la Convención de Ottawa.",
        ),
    ],
)
def test_this_convention_in_an_aside_is_the_treaty_the_main_clause_does_not_name(
    lang: str, text: str
) -> None:
    told = explain_rules(text, load_codebook(CCM), lang)
    assert told["sentences"][0]["topic"] == "another treaty"
    assert labels(text, lang, CCM) == {"mention"}
    assert labels(text, lang, APMBT) == {"mention"}
    # for the Mine Ban codebook, the aside's act is the other treaty's
    told = explain_rules(text, load_codebook(APMBT), lang)
    aside = [
        c for c in told["cues"] if c["why"] == "the clause it stands in is about another treaty"
    ]
    assert aside and all(c["start"] < text.index(",", 12) for c in aside)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Delegation after delegation took the floor to regret Lithuania's withdrawal."),
        (
            "fr",
            "Délégation après délégation a pris la parole pour regretter le retrait de la "
            "Lituanie.",
        ),
        ("es", "Delegación tras delegación tomó la palabra para lamentar la retirada de Lituania."),
    ],
)
def test_a_summary_of_many_speakers_is_theirs(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "The Presidency will continue its efforts for the universalization of the Convention.",
        ),
        (
            "fr",
            "La Présidence poursuivra ses efforts en faveur de l'universalisation de la "
            "Convention.",
        ),
        (
            "es",
            "La Presidencia continuará sus esfuerzos en favor de la universalización de la "
            "Convención.",
        ),
    ],
)
def test_carrying_on_the_efforts_for_the_convention_is_a_commitment(lang: str, text: str) -> None:
    assert labels(text, lang) == {"reaffirm_commitment"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Delegates understood from the Presidency that Lithuania's withdrawal takes effect in "
            "March.",
        ),
        (
            "en",
            "We had understood that the session would close on Friday, when Lithuania's "
            "withdrawal was announced.",
        ),
        (
            "fr",
            "Nous avions compris que la séance serait levée vendredi, jour où le retrait de la "
            "Lituanie a été annoncé.",
        ),
    ],
)
def test_understood_as_learned_or_expected_is_not_understanding(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We understand the grave security concerns that led Lithuania to withdraw."),
        ("fr", "Nous comprenons les raisons de sécurité qui ont conduit la Lituanie à se retirer."),
    ],
)
def test_understanding_of_the_reasons_is_still_understanding(lang: str, text: str) -> None:
    assert labels(text, lang) == {"mention", "understanding"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "What we ask of our partners is that they condemn every use of cluster munitions."),
        ("en", "Our appeal to the region's governments is that they condemn cluster munition use."),
        (
            "fr",
            "Ce que nous demandons à nos partenaires, c'est qu'ils condamnent tout emploi "
            "d'armes à sous-munitions.",
        ),
        (
            "es",
            "Lo que pedimos a nuestros socios, es que condenen todo uso de municiones en racimo.",
        ),
    ],
)
def test_what_the_speaker_asks_others_to_condemn_is_not_its_condemnation(
    lang: str, text: str
) -> None:
    assert "condemn_use" not in labels(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We condemn every use of cluster munitions, and we ask our partners to join us."),
        ("fr", "Nous condamnons tout emploi d'armes à sous-munitions."),
        ("es", "Condenamos todo uso de municiones en racimo."),
    ],
)
def test_the_speakers_own_condemnation_still_counts(lang: str, text: str) -> None:
    assert "condemn_use" in labels(text, lang)


def test_informal_regret_a_way_out_and_a_vocative_appeal_to_several_states() -> None:
    post = (
        "Lithuania, Estonia, Latvia, Finland and Poland are on their way out of the Mine Ban "
        "Treaty. Gutted. All five: stay in Ottawa!"
    )
    assert labels(post, "en", APMBT) == {"mention", "concern", "call_to_reconsider"}
    assert labels("Lithuania stays in the region and keeps clearing land.", "en", APMBT) == set()
