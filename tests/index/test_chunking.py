from pathlib import Path

import pytest

from index.chunking import chunk_document, split_sentences
from index.documents import Document, DocumentError, load_document, load_documents
from tests.conftest import REPORT


def _doc(text: str, source: str = "doc.md") -> Document:
    return Document(source=source, path=Path(source), text=text, sha256="x")


@pytest.fixture(scope="module")
def report_chunks():
    document = load_document(REPORT)
    return document, chunk_document(document)


def test_offsets_round_trip(report_chunks):
    document, chunks = report_chunks
    assert len(chunks) > 10
    for chunk in chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text


def test_every_sentence_of_the_report_is_in_exactly_one_chunk(report_chunks):
    document, chunks = report_chunks
    for start, end in split_sentences(document.text):
        sentence = document.text[start:end].strip()
        if "。" in sentence:
            holders = [c for c in chunks if c.start <= start and end <= c.end]
            assert len(holders) <= 1, sentence


def test_chunks_end_at_sentence_ends_and_keep_numbers_whole(report_chunks):
    _, chunks = report_chunks
    for chunk in chunks:
        if chunk.kind == "passage":
            assert chunk.text.rstrip()[-1] in "。！？；”", chunk.text[-20:]
    school = [c for c in chunks if "新增学位2.7万个" in c.text]
    assert len(school) == 1


def test_chunk_sizes_are_sensible(report_chunks):
    _, chunks = report_chunks
    passages = [c for c in chunks if c.kind == "passage"]
    assert max(len(c.text) for c in passages) <= 330  # the longest single sentence of the report stays whole
    assert sum(len(c.text) < 40 for c in passages) <= 1


def test_heading_paths(report_chunks):
    _, chunks = report_chunks
    school = next(c for c in chunks if "新增学位2.7万个" in c.text)
    assert school.section.startswith("着力抓好十项重点工作 > ")
    assert school.section.endswith("8 持续改善民生福祉 提高人民生活品质")
    assert school.title.startswith("我们脚踏实地")
    goals = next(c for c in chunks if "地区生产总值增长7%左右" in c.text)
    assert goals.section.endswith("2024 主要目标")


def test_captions_and_byline_are_marked(report_chunks):
    _, chunks = report_chunks
    kinds = {c.text.strip(): c.kind for c in chunks}
    assert kinds["空中丝路，越飞越广"] == "caption"
    assert kinds["国际运输，畅通无阻"] == "caption"
    assert any(k == "caption" and "本报记者" in t for t, k in kinds.items())
    assert all(c.kind == "passage" for c in chunks if "。" in c.text)


def test_ids_are_stable_and_unique(report_chunks):
    document, chunks = report_chunks
    again = chunk_document(load_document(REPORT))
    assert [c.chunk_id for c in chunks] == [c.chunk_id for c in again]
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    edited = chunk_document(_doc(document.text.replace("新增学位2.7万个", "新增学位2.8万个"), document.source))
    changed = {c.chunk_id for c in edited} - {c.chunk_id for c in chunks}
    assert 1 <= len(changed) <= 3


def test_english_sentences_split_only_at_sentence_ends():
    text = "# Plan\n\nGDP grows 7.5 percent. Schools add 27,000 seats! Roads get 3.2 km more?\n"
    chunks = chunk_document(_doc(text), max_chars=30)
    assert [c.text for c in chunks] == ["# Plan\n\nGDP grows 7.5 percent.", "Schools add 27,000 seats!", "Roads get 3.2 km more?"]
    assert all(c.section == "" and c.title == "Plan" for c in chunks)


def test_nested_headings_pop_correctly():
    text = "# T\n\n## A\n\n### A1\n\n甲。\n\n## B\n\n乙。\n"
    chunks = chunk_document(_doc(text))
    assert [(c.section, c.text) for c in chunks] == [("A > A1", "# T\n\n## A\n\n### A1\n\n甲。"), ("B", "## B\n\n乙。")]


def test_headings_open_their_first_passage_and_split_as_sentences(report_chunks):
    document, chunks = report_chunks
    tenth = next(c for c in chunks if "始终站稳人民立场" in c.text)
    assert tenth.text.startswith("#### 10 加强政府自身建设 打造人民满意政府\n\n始终站稳")
    spans = split_sentences(document.text, tenth.start, tenth.end)
    assert document.text[spans[0][0]:spans[0][1]] == "#### 10 加强政府自身建设 打造人民满意政府"
    assert document.text[spans[1][0]:spans[1][1]].startswith("始终站稳人民立场")


def test_a_long_paragraph_is_packed_into_balanced_passages():
    text = "".join(f"第{i}句话有一些内容，数字是{i}.5万个。" for i in range(30))
    chunks = chunk_document(_doc(text), max_chars=100)
    sizes = [len(c.text) for c in chunks]
    assert all(s <= 100 for s in sizes)
    assert min(sizes) > 40
    assert "".join(c.text for c in chunks) == text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.md", None, "no such file"),
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("binary.md", b"\x89PNG\x00\x00\x01", "binary"),
        ("gbk.txt", "政府工作报告".encode("gbk"), "UTF-8"),
        ("report.pdf", b"%PDF-1.4", "unsupported file type"),
    ],
)
def test_bad_documents_get_specific_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        load_documents([REPORT, path])


def test_crlf_and_bom_documents_keep_exact_offsets(tmp_path):
    path = tmp_path / "win.md"
    path.write_bytes("\ufeff# 标题\r\n\r\n第一句。第二句！\r\n".encode())
    document = load_document(path)
    for chunk in chunk_document(document):
        assert document.text[chunk.start : chunk.end] == chunk.text
