"""What a document is (place, target year, review year, kind) is read from its title and byline, and a sidecar
file beside it overrides any of these; a bad sidecar is refused with the file and field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakes import write
from index.documents import DocumentError, load_document, load_documents
from index.metadata import DocumentMeta, meta_from_head, scope_filter

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "data" / "zhengzhou-2024-government-work-report.md"
SAMPLES = ROOT / "tests" / "fixtures" / "reports"
KAIFENG = SAMPLES / "kaifeng-2023-report-sample.md"
ZHENGZHOU_2023 = SAMPLES / "zhengzhou-2023-review-sample.md"


@pytest.mark.parametrize(("path", "place", "target", "review", "kind"), [
    (REPORT, "郑州", 2024, 2023, "work_report"),  # "2024" on its cover, 郑州市 and 政府工作报告 in its byline
    (KAIFENG, "开封", 2023, 2022, "work_report"),
    (ZHENGZHOU_2023, "郑州", None, 2023, "other"),  # a look back: no targets
])
def test_the_bundled_report_and_the_samples_say_what_they_are_in_their_head(path, place, target, review, kind):
    meta = load_document(path).meta
    assert (meta.place, meta.target_year, meta.review_year, meta.kind) == (place, target, review, kind)
    first_line = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    assert meta.title == first_line.lstrip("# ")


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.md")))
def test_every_sample_is_marked_as_one_in_its_first_line(path):
    assert "测试样本" in path.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize(("head", "expected"), [
    ("# 郑州市2023年国民经济和社会发展统计公报\n", ("郑州", None, 2023, "statistical_bulletin")),
    ("# 关于洛阳市2023年国民经济和社会发展计划执行情况与2024年计划草案的报告\n", ("洛阳", 2024, 2023, "plan")),
    ("# 洛阳市“十四五”规划纲要\n", ("洛阳", None, None, "plan")),
    ("# 2024 Kaifeng Government Work Report\n", ("开封", 2024, 2023, "work_report")),
    # A year without a word saying what it is is no target and no review: never guessed.
    ("# 郑州文旅随笔\n\n2024年春天的一次出行。\n", ("郑州", None, None, "other")),
    ("# 一份报告\n\n新增学位3000个。\n", (None, None, None, "other")),
])
def test_the_head_gives_place_years_and_kind_or_none(head, expected):
    meta = meta_from_head(head)
    assert (meta.place, meta.target_year, meta.review_year, meta.kind) == expected


def test_a_place_or_year_only_in_the_body_is_not_the_documents():
    body = "各项工作稳步推进。" * 30 + "开封市2022年的工作。"
    meta = meta_from_head(f"# 政府工作报告摘要\n\n{body}")
    assert meta.kind == "work_report"
    assert meta.place is None and meta.target_year is None and meta.review_year is None


def test_a_line_naming_two_places_first_at_once_is_left_to_the_next_line():
    assert meta_from_head("# 郑开同城发展报告\n\n开封市人民政府发布\n").place == "开封"


@pytest.mark.parametrize("name", ["report.meta.json", "report.md.meta.json"])
def test_a_json_sidecar_overrides_only_the_fields_it_names(tmp_path, name):
    doc = write(tmp_path, "report.md", KAIFENG.read_text(encoding="utf-8"))
    write(tmp_path, name, '{"target_year": 2024, "title": "开封样本"}')
    meta = load_document(doc).meta
    assert meta == DocumentMeta(place="开封", target_year=2024, review_year=2022, kind="work_report",
                                title="开封样本")


def test_a_yaml_sidecar_takes_english_names_labels_and_null_for_unknown(tmp_path):
    doc = write(tmp_path, "notes.md", "# 一份报告\n\n新增学位3000个。\n")
    write(tmp_path, "notes.meta.yaml", "place: Luoyang\nreview_year: '2023'\nkind: 统计公报\ntitle: null\n")
    meta = load_document(doc).meta
    assert meta == DocumentMeta(place="洛阳", target_year=None, review_year=2023, kind="statistical_bulletin")


def test_a_sidecar_change_changes_the_documents_meta_not_its_text(tmp_path):
    doc = write(tmp_path, "report.md", KAIFENG.read_text(encoding="utf-8"))
    before = load_document(doc)
    write(tmp_path, "report.meta.json", '{"place": "洛阳市"}')
    after = load_document(doc)
    assert after.sha256 == before.sha256 and after.meta.place == "洛阳" and before.meta.place == "开封"


@pytest.mark.parametrize(("sidecar", "says"), [
    ('{"city": "开封"}', "unknown field 'city'"),
    ('{"target_year": 24}', "target_year: 24 is outside 1949–2100"),
    ('{"review_year": "last year"}', "review_year: 'last year' is not a year"),
    ('{"target_year": true}', "target_year: True is not a year"),
    ('{"place": "Atlantis"}', "place: 'Atlantis' is not a place of data/places.tsv"),
    ('{"kind": "novel"}', "kind: 'novel' is not a kind; give one of work_report, plan, statistical_bulletin, other"),
    ('{"title": ""}', "title: must be non-empty text"),
    ('{"place": "开封",', "not valid JSON"),
    ('["开封", 2023]', "must hold a mapping of fields"),
])
def test_a_bad_sidecar_is_refused_naming_the_file_and_field(tmp_path, sidecar, says):
    doc = write(tmp_path, "report.md", KAIFENG.read_text(encoding="utf-8"))
    bad = write(tmp_path, "report.meta.json", sidecar)
    with pytest.raises(DocumentError) as refused:
        load_documents([doc])
    assert str(bad) in str(refused.value) and says in str(refused.value)


def test_bad_yaml_and_two_sidecars_are_refused(tmp_path):
    doc = write(tmp_path, "report.md", KAIFENG.read_text(encoding="utf-8"))
    write(tmp_path, "report.meta.yaml", "place: [开封\n")
    with pytest.raises(DocumentError, match="not valid YAML"):
        load_document(doc)
    write(tmp_path, "report.md.meta.json", "{}")
    with pytest.raises(DocumentError, match="two metadata files, report.meta.yaml and report.md.meta.json"):
        load_document(doc)


def test_labels_name_place_and_year_in_both_languages():
    assert DocumentMeta("郑州", 2024, 2023, "work_report").label() == "郑州2024"
    assert DocumentMeta("郑州", None, 2023, "other").label() == "郑州2023回顾"
    assert DocumentMeta("开封", 2023, 2022, "work_report").label("en") == "Kaifeng 2023"
    assert DocumentMeta("郑州", None, 2023, "other").label("en") == "Zhengzhou 2023 (review)"
    assert DocumentMeta(title="某文件").label() == "某文件"


def test_stored_metadata_round_trips_and_omits_unknowns():
    meta = DocumentMeta("开封", 2023, None, "work_report", "样本")
    assert "doc_review_year" not in meta.stored()  # Chroma holds no None
    assert DocumentMeta.from_stored(meta.stored()) == meta
    assert DocumentMeta.from_stored({}) == DocumentMeta()


def test_scope_matches_place_and_either_year():
    meta = DocumentMeta("开封", 2023, 2022, "work_report")
    assert meta.matches("开封", 2022) and meta.matches(year=2023) and meta.matches()
    assert not meta.matches("郑州") and not meta.matches("开封", 2024)
    assert scope_filter() is None
    assert scope_filter(place="开封") == {"doc_place": "开封"}
    assert scope_filter("开封", 2023) == {"$and": [{"doc_place": "开封"}, {
        "$or": [{"doc_target_year": 2023}, {"doc_review_year": 2023}]}]}
