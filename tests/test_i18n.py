"""cockpit/i18n.py: labels in both languages, lang_of, t, unit, missing, name."""
import re
import string

import pandas as pd
import pytest

from cockpit import i18n
from cockpit.i18n import LABELS, lang_of, missing, name, t, unit


def test_every_key_has_zh_and_en():
    assert len(LABELS) > 100
    for key, pair in LABELS.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        assert zh.strip() and en.strip(), key


def test_both_languages_take_the_same_placeholders():
    fields = lambda s: sorted(f for _, f, _, _ in string.Formatter().parse(s) if f is not None)
    for key, (zh, en) in LABELS.items():
        assert fields(zh) == fields(en), key


def test_chinese_screens_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    for key, (zh, _) in LABELS.items():
        if key != "lang_switch":
            assert han.search(zh), key
    assert t("lang_switch", "zh") == "English" and t("lang_switch", "en") == "中文"


def test_t_picks_the_language_and_falls_back_to_chinese():
    assert t("no_data", "en") == "No data yet"
    assert t("no_data", "zh") == "暂无数据"
    assert t("no_data", "fr") == "暂无数据"
    assert t("no_data", None) == "暂无数据"
    with pytest.raises(KeyError):
        t("no_such_label", "en")


def test_lang_of():
    assert lang_of("en") == "en" and lang_of("zh") == "zh"
    for other in ("fr", "EN", "", None, ["en"]):
        assert lang_of(other) == i18n.DEFAULT == "zh"


def test_unit():
    assert unit("亿元", "en") == "100M¥" and unit("天", "en") == "days" and unit("%", "en") == "%"
    assert unit("件", "en") == "items" and unit("家", "en") == "firms"  # a counting word says what is counted
    assert unit("件", "en", "patents_granted") == "patents" and unit("件", "en", "matters_handled") == "cases"
    assert unit("个", "en") == "" and unit("吨", "en") == ""  # no word for it: the number speaks for itself
    assert unit("亿元", "zh") == "亿元" and unit("件", "zh") == "件"


def test_missing_names_the_data_and_the_source():
    assert missing("observations", "en", "R&D intensity") == \
        "No R&D intensity data yet · loaded by an indicator file or API (file drop/HTTP/SQL)"
    assert missing("observations", "zh", "研发投入强度").startswith("暂无研发投入强度数据")
    for kind in ("cases", "resources", "firms", "matters"):
        assert "HTTP/SQL" in missing(kind, "en") and "暂无" in missing(kind, "zh")
    with pytest.raises(KeyError):
        missing("unicorns", "en")


def test_name_of_a_dict_and_a_pandas_row():
    row = {"name_zh": "科技局", "name_en": "Science Bureau", "title_zh": "甲", "title_en": "A"}
    assert name(row, "en") == "Science Bureau" and name(row, "zh") == "科技局" and name(row, "fr") == "科技局"
    assert name(row, "en", "title") == "A"
    frame_row = pd.DataFrame([row]).iloc[0]
    assert name(frame_row, "en") == "Science Bureau" and name(frame_row, "zh") == "科技局"


def test_no_label_key_is_written_twice():
    import ast
    import inspect
    keys = [k.value for node in ast.walk(ast.parse(inspect.getsource(i18n))) if isinstance(node, ast.Dict)
            for k, v in zip(node.keys, node.values) if isinstance(v, ast.Tuple)]  # LABELS, not UNITS_EN
    assert len(keys) == len(set(keys)) == len(LABELS)
