"""Chinese drafts (issue 14, 中文对照): the zh templates, Traditional script for Taiwan and
Hong Kong, company.yaml's Chinese text, and the rep's Chinese view of any template draft.

The goldens of every zh slot are in tests/test_golden.py; here: every branch of every zh
template renders clean Chinese, figures come out formatted for zh-CN, and the gloss
states the same facts as the draft it glosses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from followup.drafting.chinese import conversion, converts, is_traditional, to_script
from followup.drafting.draft import Draft
from followup.drafting.engine import TemplateEngine
from followup.drafting.gloss import gloss
from followup.drafting.library import SHIPPED_LANGUAGES, load_library, select
from followup.drafting.workbench import DraftRequest, request
from followup.formatting import Money, date_text, money_text, percent_text
from tests.conftest import run, write
from tests.test_golden import AS_OF, CUSTOMERS, LOST_ON, bench

CAMPAIGN_CUSTOMERS = [
    *(
        (campaign, customer)
        for campaign, customer in CUSTOMERS.items()
        if campaign != "reactivation"
    ),
    *(("reactivation", customer) for customer in LOST_ON.values()),
    ("reactivation", "C1181"),  # price, angle moq
    ("reactivation", "C1053"),  # price, angle terms
    ("reactivation", "C1152"),  # delivery, angle stock
    ("urgency", "C1014"),  # no order this year
    ("urgency", "C1242"),  # a prospect: no order yet
    ("thanks", "C1242"),
]
CHANNELS = ("email", "whatsapp")
#: Latin words a Chinese draft may hold besides names, products and codes (ALL CAPS, with
#: digits): the certification and the messenger company.yaml and the templates name
LATIN_TERMS = frozenset({"premium", "whatsapp", "lm"})
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ][0-9A-Za-zÀ-ÖØ-öø-ɏ'’-]*")
#: a buyer whose contact's name is not on file
NO_NAME = {"contact_name": "", "greeting_name": "", "first_name": "", "contact_name_latin": ""}
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|\+\d[\d ]+")


def engine() -> TemplateEngine:
    return TemplateEngine(bench())


def english_words(draft: Draft, req: DraftRequest) -> list[str]:
    """Latin words of the draft that are not a name, a product, a code or a known term:
    what an English sentence left in Chinese text would show. The rep's signature block is
    company.yaml's, as written, and is left out."""
    context = req.context
    names = [
        context["company"]["name"],
        context["customer"]["company"],
        context["customer"]["contact_name"],
        context["customer"]["greeting_name"],
        context["sender"]["name"],
        *context["customer"]["products"],
        *(p["name"] for p in context["company"]["new_products"]),
        *(context["plan"]["products"] if context["plan"] else []),
    ]
    known = {w.casefold() for name in names for w in _LATIN_WORD.findall(name)} | LATIN_TERMS
    text = f"{draft.subject or ''}\n{draft.body.replace(context['sender']['signature'], '')}"
    words = _LATIN_WORD.findall(_ADDRESS.sub(" ", text))
    return [
        w
        for w in words
        if w.casefold() not in known and not w.isupper() and not any(c.isdigit() for c in w)
    ]


def zh_draft(customer_id: str, campaign: str, channel: str, language: str = "zh") -> Draft:
    return engine().draft(request(bench(), customer_id, campaign, channel, language))


# ----------------------------------------------------------------- the library


def test_every_en_slot_has_a_zh_template_with_the_same_header() -> None:
    library = load_library(None)
    en = [t for t in library.templates.values() if t.header and t.header.language == "en"]
    assert len(en) == 23  # 20 first touches, 3 second ones
    for item in en:
        twin = library.templates[re.sub(r"-en(-t[0-9])?$", r"-zh\1", item.id)]
        assert twin.header is not None and item.header is not None
        assert twin.header.language == "zh"
        same = ("campaign", "channel", "segments", "loss_reasons", "regions", "touch")
        assert {k: getattr(twin.header, k) for k in same} == {
            k: getattr(item.header, k) for k in same
        }
        assert library.status(twin) == "approved"


def test_zh_is_a_shipped_language() -> None:
    assert "zh" in SHIPPED_LANGUAGES


@pytest.mark.parametrize("language", ["zh", "zh-CN", "zh-TW", "zh-HK", "zh-Hant", "zh-SG"])
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("campaign", ["urgency", "thanks", "reactivation"])
def test_chinese_tags_select_the_zh_template_without_a_fallback(
    campaign: str, channel: str, language: str
) -> None:
    choice = select(
        load_library(None).usable(),
        campaign=campaign,
        channel=channel,
        language=language,
        reason="price",
        segments=(),
    )
    assert choice is not None and choice.template.id.endswith("-zh")
    assert not choice.language_fallback


# ----------------------------------------------------------------- Traditional script


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-TW", "s2tw"),
        ("zh-Hant", "s2tw"),
        ("zh-Hant-TW", "s2tw"),
        ("zh_TW", "s2tw"),
        ("zh-tw", "s2tw"),
        ("zh-HK", "s2hk"),
        ("zh-MO", "s2hk"),
        ("zh-Hant-HK", "s2hk"),
        ("zh", None),
        ("zh-CN", None),
        ("zh-Hans", None),
        ("zh-SG", None),
        ("zh-MY", None),
        ("zh-Hans-HK", None),
        ("en", None),
        ("ja", None),
    ],
)
def test_which_tags_read_traditional(language: str, expected: str | None) -> None:
    assert conversion(language) == expected
    assert is_traditional(language) is (expected is not None)


def test_only_a_simplified_template_is_converted() -> None:
    assert converts("zh", "zh-TW") and converts("zh-CN", "zh-HK")
    assert (
        not converts("zh-TW", "zh-TW") and not converts("zh", "zh") and not converts("en", "zh-TW")
    )


def test_conversion_changes_characters_never_words_figures_or_names() -> None:
    text = "感谢贵司的支持：2026年12月20日前，订单金额可享5%优惠。\nAmy Zhao\nUFO High Bay G3"
    assert to_script(text, "zh-TW") == (
        "感謝貴司的支持：2026年12月20日前，訂單金額可享5%優惠。\nAmy Zhao\nUFO High Bay G3"
    )
    assert to_script(text, "zh-HK").startswith("感謝貴司的支持")
    assert to_script(text, "zh") == text and to_script(text, "de") == text


@pytest.mark.parametrize("language", ["zh-TW", "zh-HK"])
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("campaign", "customer_id"), CAMPAIGN_CUSTOMERS)
def test_a_traditional_reader_gets_the_zh_draft_in_traditional_script(
    campaign: str, customer_id: str, channel: str, language: str
) -> None:
    simplified = zh_draft(customer_id, campaign, channel)
    traditional = zh_draft(customer_id, campaign, channel, language)
    assert traditional.template_id == simplified.template_id
    assert traditional.language == language and not traditional.language_fallback
    assert traditional.body == to_script(simplified.body, language)
    assert traditional.subject == (simplified.subject and to_script(simplified.subject, language))
    assert traditional.body != simplified.body
    assert re.findall(r"\d+", traditional.body) == re.findall(r"\d+", simplified.body)
    assert traditional.findings == []


def test_zh_tw_writes_gui_si_in_traditional() -> None:
    draft = zh_draft("C1001", "thanks", "email", "zh-TW")
    assert "貴司" in draft.body and "贵司" not in draft.body
    assert draft.subject == "感謝2026年的合作，展望2027年"


def test_a_traditional_baseline_gives_an_llm_traditional_wording() -> None:
    base = engine().baseline(request(bench(), "C1004", "urgency", "email", "zh-TW"))
    assert base.wording["subject"] == base.draft.subject
    assert all(text in base.draft.body for name, text in base.wording.items() if name != "subject")
    assert "預留" in base.wording["closing"]
    skeleton = engine().skeleton(base)
    assert "[CLOSING]" in skeleton and "訂單" in skeleton and "订单" not in skeleton


# ----------------------------------------------------------------- every branch


def _variants(req: DraftRequest) -> list[dict[str, Any]]:
    """The context as the sample has it, and with each optional fact gone."""
    context = dict(req.context)
    company = dict(context["company"])
    customer = dict(context["customer"])
    production = dict(context["production"])
    bare = {"offer": None, "price_change": None, "lever": None, "levers": [], "answers": ()}
    return [
        context,
        {**context, "answers": ()},
        {**context, "offer": None, "lever": None},
        {**context, **bare, "production": {**production, "closure": None, "last_slot": None}},
        {**context, **bare, "company": {**company, "achievements": [], "new_products": []}},
        {**context, "angle": None},
        {**context, "customer": {**customer, **NO_NAME}},
        {
            **context,
            "customer": {**customer, "orders_this_year": 1, "years_as_customer": 0},
            "plan": {
                "year": 2027,
                "next_order": dt.date(2027, 3, 2),
                "amount": Money(8000, "USD"),
                "orders_expected": 2,
                "products": ["LED Panel Light 600x600"],
                "contact_by": dt.date(2027, 1, 5),
            },
        },
    ]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("campaign", "customer_id"), CAMPAIGN_CUSTOMERS)
def test_every_branch_of_every_zh_template_renders_clean_chinese(
    campaign: str, customer_id: str, channel: str
) -> None:
    made = engine()
    req = request(bench(), customer_id, campaign, channel, "zh")
    for context in _variants(req):
        variant = dataclasses.replace(req, context=context)  # type: ignore[arg-type]
        draft = made.baseline(variant).draft
        assert draft.template_id and draft.template_id.endswith("-zh")
        assert draft.findings == [], (context, draft.body)
        assert english_words(draft, variant) == [], draft.body
        assert re.search(r"\n\n\n|。。|，，|：：", draft.body) is None, draft.body


def test_a_buyer_with_no_name_on_file_is_greeted_neutrally() -> None:
    req = request(bench(), "C1004", "urgency", "email", "zh")
    context = {**req.context, "customer": {**req.customer, **NO_NAME}}
    draft = engine().baseline(dataclasses.replace(req, context=context)).draft  # type: ignore[arg-type]
    assert draft.body.startswith("尊敬的客户：\n您好！\n")


def test_no_zh_draft_of_the_sample_holds_an_english_word() -> None:
    made = engine()
    leftovers: dict[str, list[str]] = {}
    for customer_id in sorted(bench().profiles):
        for campaign in ("urgency", "thanks", "reactivation"):
            for channel in CHANNELS:
                req = request(bench(), customer_id, campaign, channel, "zh")
                draft = made.draft(req)
                assert draft.template_id is not None and draft.template_id.endswith("-zh")
                words = english_words(draft, req)
                if words or draft.findings:
                    leftovers[draft.key] = words + [f.code for f in draft.findings]
    assert leftovers == {}


# ----------------------------------------------------------------- figures for zh-CN


def test_figures_are_formatted_for_zh_cn() -> None:
    urgency = zh_draft("C1004", "urgency", "email").body
    assert "2026年12月20日前，订单金额可享5%优惠" in urgency
    assert "2027年1月30日至2月21日放假" in urgency
    assert "按照30天的交期，2026年12月26日前确认的订单" in urgency
    assert "自2027年1月15日起" in urgency
    thanks = zh_draft("C1001", "thanks", "email").body
    assert "总金额USD 22,048.90" in thanks and "自2022年起" in thanks
    price = zh_draft("C1014", "reactivation", "email")
    assert "（2023年2月）" in price.body and price.subject == "一份新报价，12月20日前另享5%优惠"
    whatsapp = zh_draft("C1004", "urgency", "whatsapp").body
    assert "12月20日前下单可享5%优惠" in whatsapp and "请于12月26日前确认" in whatsapp
    for text in (urgency, thanks, price.body, whatsapp):
        assert not re.search(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}", text)


# ----------------------------------------------------------------- company.yaml in zh


def test_the_samples_company_texts_are_in_chinese_for_zh() -> None:
    context = request(bench(), "C1014", "reactivation", "email", "zh").context
    texts = [
        *context["company"]["achievements"],
        *(p["description"] for p in context["company"]["new_products"]),
        *context["answers"],
    ]
    assert context["offer"] is not None and context["production"]["closure"] is not None
    assert context["price_change"] is not None
    texts += [context["offer"]["name"], context["offer"]["conditions"]]
    texts += [context["production"]["closure"]["name"], context["price_change"]["description"]]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in texts), texts


def test_lint_warns_of_a_company_text_with_no_chinese(sample_workspace: Path) -> None:
    path = sample_workspace / "company.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    zh: 月产能提升至180,000套灯具\n" in text
    write(path, text.replace("    zh: 月产能提升至180,000套灯具\n", ""))
    out = run("templates", "lint", "--workspace", str(sample_workspace)).stdout
    assert (
        "company.yaml: warning: achievements[1] has no zh text: drafts in zh quote it in "
        "English; add `zh: ...` beside `en:` [untranslated]"
    ) in out
    assert out.rstrip().endswith("138 templates: 0 errors, 1 warnings")


def test_lint_of_the_sample_is_clean() -> None:
    out = run("templates", "lint", "--sample").stdout
    assert out.rstrip().endswith("templates: 0 errors, 0 warnings")


# ----------------------------------------------------------------- the rep's view


def _facts(req: DraftRequest) -> dict[str, Any]:
    """The dated, money and percentage facts a draft of `req` may state."""
    context = req.context
    offer, production, change = context["offer"], context["production"], context["price_change"]
    closure = production["closure"]
    dates = {
        "offer": offer and offer["valid_until"],
        "closure start": closure and closure["start"],
        "closure end": closure and closure["end"],
        "last slot": production["last_slot"],
        "price change": change and change["date"],
    }
    return {
        "dates": {name: day for name, day in dates.items() if day},
        "money": context["customer"]["volume_this_year"],
        "percent": offer and offer["discount_percent"],
    }


def _stated(text: str, facts: dict[str, Any], locale: str) -> set[str]:
    """Which facts `text` states, as `locale` writes them (a long date, a day and month), each
    as a figure of its own (`5%` is not the end of `98.5%`)."""
    short = {"de": "d. MMMM", "zh": "M月d日"}[locale]

    def says(figure: str) -> bool:
        return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d])", text) is not None

    found = {
        name
        for name, day in facts["dates"].items()
        if says(date_text(day, locale=locale)) or says(date_text(day, short, locale=locale))
    }
    if facts["money"].amount and says(money_text(facts["money"], locale)):
        found.add("money")
    if facts["percent"] and says(percent_text(facts["percent"], locale)):
        found.add("percent")
    return found


#: German drafts whose template says what the zh one says (the German library words some
#: slots its own way: its urgency WhatsApp leaves out the closure's last day)
PARALLEL = [
    ("C1004", "urgency", "email"),
    ("C1001", "thanks", "email"),
    ("C1001", "thanks", "whatsapp"),
    ("C1022", "thanks", "email"),
    ("C1014", "reactivation", "whatsapp"),
    ("C1039", "reactivation", "whatsapp"),
]


@pytest.mark.parametrize(("customer_id", "campaign", "channel"), PARALLEL)
def test_the_gloss_of_a_german_draft_states_the_same_facts(
    customer_id: str, campaign: str, channel: str
) -> None:
    made = engine()
    req = request(bench(), customer_id, campaign, channel, "de")
    german = made.draft(req)
    assert german.template_id is not None and german.template_id.endswith("-de")
    found = gloss(made, req)
    assert found is not None
    subject, body = found
    assert (subject is None) is (german.subject is None)
    facts = _facts(req)
    in_german = _stated(f"{german.subject or ''}\n{german.body}", facts, "de")
    in_gloss = _stated(f"{subject or ''}\n{body}", facts, "zh")
    assert in_gloss == in_german and in_gloss
    chinese = zh_draft(customer_id, campaign, channel)  # the rep's view is that draft
    assert (subject, body) == (chinese.subject, chinese.body)


def test_the_gloss_is_the_zh_template_of_the_same_slot_with_chinese_company_text() -> None:
    made = engine()
    req = request(bench(), "C1014", "reactivation", "email", "en")
    subject, body = gloss(made, req) or (None, "")
    assert subject == "一份新报价，12月20日前另享5%优惠"
    assert "2026年全系列产品FOB价格比2024年下降3%" in body  # the price answers, in Chinese
    assert gloss(bench(), req) == (subject, body)  # from the workbench: approved templates
    assert gloss(made, req) == (subject, body)  # deterministic


def test_the_gloss_of_a_traditional_draft_is_simplified() -> None:
    req = request(bench(), "C1001", "thanks", "email", "zh-TW")
    found = gloss(engine(), req)
    assert found is not None and "贵司" in found[1]


def test_no_zh_template_means_no_gloss() -> None:
    made = engine()
    made.candidates = [t for t in made.candidates if t.header and t.header.language != "zh"]
    assert gloss(made, request(bench(), "C1004", "urgency", "email", "de")) is None


def test_the_golden_day_is_the_samples() -> None:
    assert bench().as_of == AS_OF
