"""The answer policy in one place: every rule that can decide what is shown, in the order the chain applies it.

``before``: checked before any model runs (each may refuse). ``route``: who writes the answer (code, the model,
or nobody). ``after``: the review of the model's answer (``bot.policy.acceptance.ACCEPTANCE_CHECKS``, in their
order). ``fallback``: the ladder of answers without the model's (the report's own sentence, then "not in the
report"). Each rule has a reason for staff (English), a short reason for the asker in Chinese and English
(``{…}``: what the rule found) and the setting of ``settings.answer`` that is its threshold, if any.

The chain records a ``Trace`` of the rules each answer went through (``AnswerResult.trace``): ``passed`` for those
it got through, ``decided`` for those that decided; the last ``decided`` one chose the shown answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.policy.acceptance import ACCEPTANCE_CHECKS
from bot.schema import Lang, RuleStage, RuleStep


@dataclass(frozen=True)
class Rule:
    name: str
    stage: RuleStage
    reason: str  # for staff, in English; ``{…}`` filled with what the rule found
    shown_zh: str  # for the asker
    shown_en: str
    setting: str | None = None  # the field of settings.answer holding the rule's threshold

    def shown(self, lang: Lang, found: dict[str, str]) -> str:
        if lang == "zh":  # a measure found is named in Chinese for a Chinese asker ("yuan" → 金额)
            found = {key: MEASURE_ZH.get(value, value) for key, value in found.items()}
        return (self.shown_zh if lang == "zh" else self.shown_en).format_map(_Found(found))


# The measures a question can ask for (bot.understand.scope.asked_measure), as a Chinese asker reads them.
MEASURE_ZH = {"yuan": "金额", "usd": "美元金额", "percent": "百分比", "km": "长度", "m2": "面积", "km2": "面积",
              "mu": "亩数", "area": "面积", "jin": "重量", "vehicles": "车辆数", "count": "个数", "people": "人数", "visits": "人次"}


class _Found(dict[str, str]):
    """What a rule found, for its reason's placeholders; one it did not report reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


BEFORE = (
    Rule("place_not_covered", "before", "the report does not cover {place}",
         "报告没有涉及{place}。", "The report does not cover {place_en}."),
    Rule("report_not_indexed", "before", "several reports are indexed and none is about {scope}",
         "报告没有涉及{scope}。{indexed}", "No indexed report covers {scope_en}. {indexed_en}"),
    Rule("premise_is_whole_answer", "before",
         "the report contradicts a figure the question takes for granted, and the question asks nothing more: the "
         "correction is the whole answer", "问题里的数字与报告不符，已按报告更正", "The question's figure differs from "
         "the report's; corrected from the report", "premise_similarity"),
    Rule("nothing_close_enough", "before", "no sentence of the report is close enough to the question",
         "报告里没有与问题足够接近的内容", "Nothing in the report is close enough to the question", "min_similarity"),
    Rule("year_not_covered", "before", "the question asks about a year the report does not cover ({years})",
         "报告没有涉及{years}年", "The report does not cover {years}"),
)

ROUTE = (
    Rule("figures_listed", "route", "a list of figures asked for: every figure of the closest sentences, quoted",
         "以下为报告原文中的相关数字", "The report's own figures on it", "listed_margin"),
    Rule("computed", "route", "a sum, comparison, ratio or share worked out by code from the report's figures",
         "由报告里的数字计算得出", "Worked out from the report's figures", "part_similarity"),
    Rule("comparison_side_missing", "route", "the report gives no figure for {part}",
         "报告没有给出“{part}”的数字", "The report gives no figure for “{part}”", "part_similarity"),
    Rule("figures_not_combinable", "route", "the figures cannot be combined: {error}",
         "这些数字说的是不同的东西，不能合并计算", "These figures cannot be combined: {error}"),
    Rule("model", "route", "the model writes the answer from the numbered passages", "", ""),
    Rule("model_unavailable", "route", "the model is unavailable or failed; answered without it",
         "语言模型暂时不可用，以下为报告原文", "The language model is unavailable; the report's own words follow",
         "extractive_similarity"),
    Rule("extractive_no_model", "route", "no model is asked (the extractive backend): the report's own sentence",
         "以下为报告原文", "The report's own words", "extractive_similarity"),
)

MODEL_SAID_NOT_FOUND = Rule("model_said_not_found", "after", "the model found no answer in the passages (NOT_FOUND)",
                            "模型在报告里没有找到答案", "The model found no answer in the report")

# The review of the model's answer, by the name of each check of bot.policy.acceptance (their order is its own).
CHECK_TEXTS: dict[str, tuple[str, str, str, str | None]] = {
    "in_question_language": ("an English question answered in Chinese",
        "回答没有用提问的语言",
        "The answer was not in the question's language", "rejected_similarity"),
    "adds_to_question": ("the answer only repeats the question",
        "回答只是重复了问题",
        "The answer only repeated the question", "rejected_similarity"),
    "worded_from_passages": ("a Chinese answer not worded from the passages",
        "回答的措辞不是来自报告",
        "The answer was not worded from the report", "min_worded_share"),
    "takes_from_passages": ("a Chinese answer saying nothing the passages say",
        "回答没有给出报告里的内容",
        "The answer said nothing the report says", "rejected_similarity"),
    "states_asked_figure": ("no figure for a question asking for one",
        "回答没有给出问题要的数字",
        "The answer gave no figure for a question asking for one", "rejected_similarity"),
    "states_asked_measure": ("no figure in the measure asked for (money, a share, kilometres…)",
        "回答没有给出问题要的那种数字（{found}）",
        "The answer gave no figure in the measure asked for ({found})", "rejected_similarity"),
    "names_a_person": ("a who-question answered without a person the passages name",
        "报告里没有提到问题问的人",
        "The report names no person for this", "rejected_similarity"),
    "person_in_asked_role": ("the person named stands in no sentence about the role asked",
        "报告提到的{found}不是问题问的职务",
        "The report names {found} for another role", None),
    "no_parroted_names": ("an override attempt's names repeated from the question",
        "回答里的“{found}”来自问题，不是报告",
        "“{found}” came from the question, not from the report", "override_similarity"),
    "figures_verified": ("a figure of the answer is in no passage",
        "数字{found}在报告里找不到",
        "The figure(s) {found} are not in the report", "rejected_similarity"),
    "direction_as_reported": ("the answer moves a figure the other way than the report's clause does",
        "报告说的是“{found}”，方向与回答相反",
        "The report has it the other way ({found})", "min_similarity"),
    "no_unconfirmed_figures": ("the answer repeats a figure the question supplies and the report does not confirm, or "
                               "answers yes or no to it without a figure of the report's",
        "报告没有证实问题里的{found}",
        "The report does not confirm the question's {found}", "override_similarity"),
    "not_a_bare_refusal": ("the model says the report does not answer, without a correction",
        "模型认为报告没有回答这个问题",
        "The model found no answer in the report", None),
    "counts_asked_subject": ("the figure's sentence does not name what was counted",
        "报告里的数字不是关于“{found}”的",
        "The report's figure is not about “{found}”", "rejected_similarity"),
    "about_asked_words": ("the figure's sentence shares no word with the question, or another clause shares more",
        "回答的数字说的是别的事情",
        "The answer's figure is about something else", "rejected_similarity"),
    "asked_term_in_passages": ("no passage uses the report's term for what is asked",
        "报告没有提到“{found}”",
        "The report does not mention “{found}”", None),
    "about_asked_terms": ("the figure's sentence does not use the report's term for what is asked; another does",
        "报告没有给出“{found}”的数字",
        "The report gives no figure for “{found}”", "rejected_similarity"),
    "a_part_as_named": ("a follow-up asking for a part is answered by the whole or another figure",
        "报告没有单独给出这一部分的数字",
        "The report gives no figure for that part on its own", None),
    "about_joined_place": ("the answer does not come from a sentence naming the joined place",
        "回答不是报告关于{found}的内容",
        "The answer does not come from what the report says of {found}", None),
    "subject_stated": ("the figure's own clause names something else than what the question asks",
        "回答的数字说的不是“{found}”",
        "The answer's figure is not about “{found}”", "rejected_similarity"),
    "qualifier_stated": ("the figure counts a thing of its own clause; the report's sentence names what the "
        "question asks about apart from it (another figure's thing, or an example of a group)",
        "报告没有单独给出“{found}”的数字", "The report gives no figure for that on its own", None),
    "scope_stated": ("the figure's sentence does not speak of the scope asked (the country, the province)",
        "报告里的数字不是问题问的范围",
        "The report's figure is not for the scope asked about", None),
    "figures_where_named": ("the answer gives a term the figure the report gives for another term",
        "回答把报告里别的项目的数字{found}当成了所问的",
        "The answer gave {found}, which the report gives for something else", "rejected_similarity"),
    "every_kind_given": ("the answer gives one kind's figure of a thing the report splits into kinds",
        "回答漏掉了同一事项的另一部分（{found}）",
        "The answer left out another part of the same thing ({found})", "every_kind_similarity"),
}

FALLBACK = (
    Rule("closest_passage", "fallback", "the model found no answer, but a passage matches the question closely",
         "模型没有找到答案，以下是报告里与问题最接近的原文", "The model found no answer; the report's closest passage",
         "sure_similarity"),
    Rule("naming_sentence", "fallback",
         "no usable model answer (none, or its figure in no passage or not about what is asked), but one passage "
         "names what the question asks about", "以下是报告里提到所问内容的原文", "The report's sentence naming what you asked about"),
    Rule("override_judged_as_claim", "fallback",
         "the model found no answer to a question that tries to override the report",
         "问题试图改变报告的内容，按报告回答", "The question tries to override the report; answered from the report",
         "override_similarity"),
    Rule("extractive_fallback", "fallback",
         "without a usable model answer, the report's own sentence, close enough to the question",
         "以下为报告原文", "The report's own words", "extractive_similarity"),
    Rule("quote_gives_figure", "fallback", "the quoted sentence gives no figure for a question asking for one",
         "报告最接近的句子没有给出数字", "The report's closest sentence gives no figure"),
    Rule("quote_in_asked_measure", "fallback", "the quoted sentence gives no figure in the measure asked for",
         "报告最接近的句子没有给出问题要的那种数字（{found}）",
         "The report's closest sentence gives no figure in the measure asked for ({found})"),
    Rule("quote_names_person", "fallback", "a who-question's quoted sentence names no person the passages name",
         "报告没有提到问题问的人", "The report names no person for this"),
    Rule("nearby_judged_same", "fallback",
         "refused for want of the question's words, but the model judges the nearby clause (a figure of the kind "
         "asked) to state the very thing asked (margin {found})", "报告的说法与问题不同，经模型判断说的是所问的事物",
         "The report words it differently; the model judged it to be what you asked", "subject_judge_margin"),
    Rule("not_found_with_nearby", "fallback",
         "nothing usable: not in the report, with what it says nearby when a passage is close enough",
         "报告里没有这个问题的答案", "The report does not answer this question", "nearby_similarity"),
)


def _after() -> tuple[Rule, ...]:
    rules = [MODEL_SAID_NOT_FOUND]
    for check in ACCEPTANCE_CHECKS:
        # A check this table has no row for yet is still in the policy, described by its docstring.
        staff, zh, en, setting = CHECK_TEXTS.get(check.__name__) or (
            (check.__doc__ or check.__name__).strip().split("\n")[0], "报告里找不到能核实的答案",
            "The report gives no answer that could be checked", None)
        rules.append(Rule(check.__name__, "after", staff, zh, en, setting))
    return tuple(rules)


# Read first, before any other rule: a staff question asking whether a sentence is right is routed to the fact-check.
CLAIM_CHECKED = Rule("claim_checked", "before",
                     "a staff question asking whether a sentence is right: the fact-check answers it",
                     "按报告核对了这句话", "Checked the sentence against the report")

# Then a message asking several things is answered part by part, each part going through every rule below.
PARTS_ASKED = Rule("parts_asked", "before", "a message asking {parts} things: each answered on its own, in order",
                   "问题包含几个部分，已逐一回答", "The question asks several things; each is answered in turn")

RULES: tuple[Rule, ...] = (CLAIM_CHECKED, PARTS_ASKED) + BEFORE + ROUTE + _after() + FALLBACK
RULE_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def markdown_table() -> str:
    """The policy as a Markdown table, in order (for the docs)."""
    lines = ["| # | Rule | Stage | Why (staff) | Shown to the asker (zh / en) | Threshold |",
             "|---|---|---|---|---|---|"]
    for n, rule in enumerate(RULES, start=1):
        shown = f"{rule.shown_zh} / {rule.shown_en}" if rule.shown_zh else ""
        setting = f"`settings.answer.{rule.setting}`" if rule.setting else ""
        cells = [str(n), f"`{rule.name}`", rule.stage, rule.reason, shown, setting]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


@dataclass
class Trace:
    """The rules one answer went through, in order, each as a ``RuleStep`` in the question's language."""

    lang: Lang
    steps: list[RuleStep] = field(default_factory=list)

    def passed(self, name: str) -> None:
        rule = RULE_BY_NAME[name]
        self.steps.append(RuleStep(name, rule.stage, "passed"))

    def decided(self, name: str, reason: str | None = None, **found: str) -> RuleStep:
        """Record that rule ``name`` decided; ``reason``: the staff reason when the chain has its own words for
        this case (a rejection's, a backend's error), else the table's filled with ``found``."""
        rule = RULE_BY_NAME[name]
        step = RuleStep(name, rule.stage, "decided", reason or rule.reason.format_map(_Found(found)),
                        rule.shown(self.lang, found))
        self.steps.append(step)
        return step
