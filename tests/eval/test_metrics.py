import pytest

from eval.dataset import AnswerCase, ClaimCase
from eval.metrics import (
    answer_correct,
    citation_hit,
    delta,
    latency,
    mentions,
    rate,
    report_figures_shown,
    retrieval_metrics,
    retrieval_rank,
    score_answer,
    score_claim,
    summarize,
    unverified,
)


def _case(**fields) -> AnswerCase:
    base = {"id": "t-1", "category": "figure", "lang": "zh", "question": "新增多少学位？", "answerable": True,
            "reference_answer": "新增学位2.7万个。", "must_include": [["2.7万"]], "must_not_include": ["2.7 million"],
            "evidence": ["新增学位2.7万个"]}
    return AnswerCase(**(base | fields))


def _result(answer: str = "", found: bool = True, citations: list[str] = (), **extra) -> dict:
    return {"answer": answer, "found": found, "verified": True, "figures": [], "fallback_reason": None,
            "citations": [{"text": t} for t in citations], **extra}


@pytest.mark.parametrize(
    ("answer", "alternative", "expected"),
    [
        ("27,000 new school places [1]", "2.7万", True),
        ("新增学位２．７万个", "27000", True),  # full-width digits
        ("About 170 million visits", "1.7亿", True),
        ("520 billion yuan", "5200亿", True),
        ("27,000 new school places", "2.7 million", False),
        ("新增学位2.7万个", "27万个", False),
        ("1.7 billion visits", "1.7亿", False),
        ("增长7%左右", "7 %", True),
        ("增长7%左右", "7", False),  # a percentage is not a count
        ("新增8项", "8%", False),
        ("150 schools", "15", False),
        ("in 2015", "15", False),
        ("15 schools [1]", "15", True),
        ("完成道路中小修50万平方米", "50万个", False),  # same value, another Chinese unit
        ("新建公园30个", "30 parks", True),  # English words after a number are not compared
        ("引进院士25名", "25", True),
        ("see [1]", "1", False),  # citation markers are not figures
        ("Summer OZONE pollution", "ozone", True),
        ("打好 夏季 臭氧 污染防治", "臭氧污染", True),  # whitespace-insensitive
    ],
)
def test_mentions_normalises_numbers(answer, alternative, expected):
    assert mentions(answer, alternative) is expected


def test_answer_correct_needs_every_group_and_no_forbidden_string():
    case = _case(must_include=[["2.7万", "27,000"], ["10所", "10"]], must_not_include=["2.7 million"])
    assert answer_correct("新增学位2.7万个，新建学校10所。", case)
    assert answer_correct("27,000 places and 10 new schools", case)
    assert not answer_correct("27,000 places", case)
    assert not answer_correct("27,000 places (2.7 million?) and 10 schools", case)


def test_refusal_logic():
    answerable, unanswerable = _case(), _case(answerable=False, category="unanswerable", must_include=[], evidence=[])
    right = score_answer(_result("新增学位2.7万个[1]", citations=["新增学位2.7万个。"]), answerable, rank=1)
    assert right["correct"] and not right["refused"] and right["citation_hit"]
    refused = score_answer(_result("报告中没有找到。", found=False), answerable, rank=2)
    assert not refused["correct"] and refused["refused"] and not refused["citation_hit"]
    assert score_answer(_result("报告中没有找到。", found=False), unanswerable, rank=None)["correct"]
    assert not score_answer(_result("常住人口1300万"), unanswerable, rank=None)["correct"]
    errored = score_answer(None, answerable, rank=None)
    assert errored["error"] and not errored["correct"]

    summary = summarize([right, refused, score_answer(_result("x", found=False), unanswerable, None), errored])
    assert summary["accuracy"] == 0.5
    assert summary["refusal_rate"] == 1.0
    assert summary["false_refusal_rate"] == 0.5  # the errored case has no refusal flag
    assert summary["citation_hit"] == pytest.approx(1 / 3, abs=1e-3)
    assert summary["errors"] == 1
    assert summary["cited_chars"] == len("新增学位2.7万个。")  # answered answerable cases only
    assert summary["hit@1"] == pytest.approx(1 / 3, abs=1e-3) and summary["mrr"] == pytest.approx(0.5)


def test_citation_hit_and_retrieval_rank_use_evidence_text_not_ids():
    case = _case()
    assert citation_hit(_result(citations=["其他", "今年新增学位2.7万个，新建学校10所。"]), case)
    assert not citation_hit(_result(citations=["新增学位"]), case)
    assert retrieval_rank(["a", "b 新增学位 2.7万个", "新增学位2.7万个"], case.evidence) == 2
    assert retrieval_rank(["a"], case.evidence) is None
    assert retrieval_metrics([1, 3, None, 12]) == {"hit@1": 0.25, "hit@3": 0.5, "hit@10": 0.5, "mrr": 0.3333}


def test_unverified_figures():
    assert not unverified(_result())
    assert unverified(_result(verified=False))
    assert unverified(_result(figures=[{"text": "3%", "verified": False, "citation": None}]))


def test_claim_scores():
    case = ClaimCase(id="c-1", category="claim", lang="en", question="Zhengzhou targets 8% GDP growth",
                     verdict="contradicted", report_figures=["7%左右"], evidence=["地区生产总值增长7%左右"],
                     answerable=True, reference_answer="The report says about 7%.")
    good = {"verdict": "contradicted", "report_figures": ["7%左右"], "citations": [{"text": "地区生产总值增长7%左右"}]}
    scores = score_claim(good, case, rank=1)
    assert scores["correct"] and scores["report_figure_shown"] and scores["citation_hit"]
    assert report_figures_shown({"report_figures": ["about 7%"]}, case)
    assert not report_figures_shown({"report_figures": ["8%"]}, case)
    wrong = score_claim({"verdict": "supported", "report_figures": [], "citations": []}, case, rank=None)
    claims = summarize([scores, wrong])["claims"]
    assert claims["verdict_accuracy"] == 0.5 and claims["by_verdict"]["contradicted"] == 0.5
    assert claims["by_verdict"]["supported"] is None and claims["report_figure_shown"] == 0.5


def test_latency_rate_and_delta():
    stats = latency([{"retrieve": 10.0, "total": 100.0}, {"retrieve": 30.0, "total": 300.0, "first_token": 5.0}])
    assert list(stats) == ["retrieve", "first_token", "total"]
    assert stats["total"] == {"p50": 200.0, "p95": 290.0, "n": 2}
    assert rate([True, None, False]) == 0.5 and rate([None]) is None
    assert delta({"accuracy": 0.8, "cases": 3, "mrr": None}, {"accuracy": 0.5, "cases": 3}) == {"accuracy": 0.3}
