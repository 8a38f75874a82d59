from index.keyword import KeywordIndex, tokenize


def test_tokenize_uses_cjk_bigrams_words_and_numbers():
    assert tokenize("新增学位2.7万个") == ["新增", "增学", "学位", "万个", "2.7"]
    assert tokenize("School SEATS 7%") == ["school", "seats", "7%"]


def test_bm25_prefers_the_passage_with_the_rare_terms():
    texts = ["郑州市新建中小学校10所，新增学位2.7万个。", "郑州市新增绿地300万平方米。", "郑州市地区生产总值增长7%左右。"]
    index = KeywordIndex(texts)
    hits = index.search("今年新增学位多少个？", 3)
    assert hits[0][0] == 0
    assert all(score > 0 for _, score in hits)


def test_bm25_returns_nothing_for_unknown_terms():
    assert KeywordIndex(["新增学位2.7万个。"]).search("population", 5) == []
    assert KeywordIndex([]).search("学位", 5) == []


def test_word_overlap_weighs_distinctive_words_and_ignores_numbers_and_unknown_words():
    index = KeywordIndex(["郑州市地区生产总值增长7%左右。", "今年郑州市政府工作总体要求是稳中求进。", "郑州市新增绿地300万平方米。"])
    target, general, other = index.overlap("今年郑州地区生产总值的预期增长目标是多少？", [
        "地区生产总值增长7%左右", "今年政府工作总体要求是", "新增绿地300万平方米"])
    assert target > general > other >= 0.0
    assert index.overlap("GDP 2024", ["地区生产总值增长7%左右"]) == [0.0]
    assert index.overlap("地区生产总值", ["地区生产总值"]) == [1.0]


def test_coverage_is_the_share_of_chinese_words_the_corpus_has():
    index = KeywordIndex(["郑州市新建中小学校10所，新增学位2.7万个。"])
    assert index.coverage("新增学位3万个") == 1.0
    assert index.coverage("郑州有12家三甲医院") < 0.5
    assert index.coverage("How many schools?") == 1.0
    # Pairs straddling two words (州提, 出旅, 游收, 入目) are nobody's words: a character in a found pair is covered.
    report = KeywordIndex(["郑州市旅游总收入突破2000亿元。主要预期目标是增长7%。"])
    assert report.coverage("郑州提出旅游收入目标") == 0.8
