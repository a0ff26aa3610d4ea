"""The automatic flags of classified ads: each rule, its why and spans, duplicates, prices, the rule set's JSON."""

from __future__ import annotations

import dataclasses
import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from saypro_desktop.core.moderation_rules import (
    CATEGORIES,
    RULES,
    AdImage,
    AdText,
    Hit,
    Scorer,
    default_ruleset,
    image_phash,
    ruleset_from_json,
    ruleset_to_json,
)
from saypro_desktop.core.near_duplicates import ImageIndex, PackedMultimap, hamming

LABELLED = Path(__file__).resolve().parents[1] / "data" / "moderation_labelled.jsonl"
_rng = random.Random(5)


def image(width: int = 1600, height: int = 1200, phash: str | None = None, sha: str | None = None) -> AdImage:
    return AdImage(sha or f"{_rng.getrandbits(256):064x}", width, height, phash or f"{_rng.getrandbits(64):016x}")


CAR_TEXT = ("Well looked after sedan with a full service history and 98 000 km on the clock. New tyres, valid licence "
            "disc, aircon and electric windows. Viewing in Randburg on weekends, price slightly negotiable.")


def car(**changes: object) -> AdText:
    fields: dict[str, object] = dict(
        ad_id=f"AD-{_rng.randrange(10**9)}", title="2016 Toyota Corolla 1.6 Prestige", description=CAR_TEXT,
        category="Vehicles", subcategory="Cars", ad_type="Offer", location="Randburg", price_minor=18_500_000,
        currency="ZAR", advertiser_id="ADV-1", images=(image(), image()))
    fields.update(changes)
    return AdText(**fields)  # type: ignore[arg-type]


def hits(scorer: Scorer, ad: AdText) -> dict[str, Hit]:
    return {h.rule: h for h in scorer.score(ad).hits}


def spanned(ad: AdText, hit: Hit) -> list[str]:
    return [(ad.title if field == "title" else ad.description)[a:b] for field, a, b in hit.spans]


@pytest.fixture
def scorer() -> Scorer:
    return Scorer(default_ruleset())


def test_a_clean_ad_has_no_hits(scorer):
    score = scorer.score(car())
    assert score.hits == () and score.risk == 0
    assert score.ruleset_version == default_ruleset().version


# --- word lists: prohibited items, offensive language, scams ---------------------------------------------------------


def test_prohibited_item_names_the_item_and_points_at_it(scorer):
    ad = car(description=CAR_TEXT + " Also selling a 9mm pistol and some ammunition.")
    hit = hits(scorer, ad)["prohibited_item"]
    assert hit.why == "mentions a prohibited item: '9mm', 'pistol', 'ammunition'"
    assert spanned(ad, hit) == ["9mm", "pistol", "ammunition"]
    assert hit.weight == default_ruleset().weights["prohibited_item"]


def test_words_match_whole_words_plurals_and_phrases_only(scorer):
    assert "prohibited_item" not in hits(scorer, car(description=CAR_TEXT + " Gunther services it yearly."))
    assert "prohibited_item" not in hits(scorer, car(description=CAR_TEXT + " A tiktok star owned it."))
    found = hits(scorer, car(description=CAR_TEXT + " Two shotguns included."))["prohibited_item"]
    assert "'shotgun'" in found.why
    phrase = car(description=CAR_TEXT + " Genuine Rhino   Horn for sale.")
    assert spanned(phrase, hits(scorer, phrase)["prohibited_item"]) == ["Rhino   Horn"]


def test_allowed_phrases_excuse_what_they_contain(scorer):
    ad = AdText("AD-2", "Glue gun and a gun safe", "Selling my glue gun with 20 sticks and a small gun safe, "
                "collection in Benoni.", "For Sale", 25_000, "ZAR", "ADV-2", "Tools", images=(image(),))
    assert "prohibited_item" not in hits(scorer, ad)
    armed = dataclasses.replace(ad, description=ad.description + " The gun itself is extra.")
    assert spanned(armed, hits(scorer, armed)["prohibited_item"]) == ["gun"]


def test_leetspeak_and_accents_are_undone_and_the_why_says_how_it_was_written(scorer):
    ad = car(title="C0CAÏNE and f1rearms", description=CAR_TEXT + " Sh1t offers get ignored, you @sshole.")
    found = hits(scorer, ad)
    assert found["prohibited_item"].why == ("mentions a prohibited item: 'cocaine' (written 'C0CAÏNE'), "
                                            "'firearm' (written 'f1rearms')")
    assert spanned(ad, found["prohibited_item"]) == ["C0CAÏNE", "f1rearms"]
    assert found["offensive_language"].why == ("uses offensive language: 'shit' (written 'Sh1t'), "
                                               "'asshole' (written '@sshole')")
    assert spanned(ad, found["offensive_language"]) == ["Sh1t", "@sshole"]


def test_spans_stay_right_after_characters_that_fold_to_more_or_fewer(scorer):
    text = "Straße ﬁne café – genuine ivory carving, cocaine.  Ok"  # ß -> ss, ﬁ -> fi, é -> e
    ad = car(description=CAR_TEXT + " " + text)
    found = hits(scorer, ad)
    assert spanned(ad, found["prohibited_item"]) == ["ivory carving", "cocaine"]


def test_offensive_language_is_quiet_on_near_misses(scorer):
    for text in ("Classic assessment done, scunthorpe plates.", "Cockpit like new, Dickens novels in the boot."):
        assert "offensive_language" not in hits(scorer, car(description=CAR_TEXT + " " + text))
    masked = car(description=CAR_TEXT + " Lowballers can f*ck off.")
    assert spanned(masked, hits(scorer, masked)["offensive_language"]) == ["f*ck"]


@pytest.mark.parametrize("text, named", [
    ("Payment via Western Union only.", "'western union'"),
    ("I am overseas, send deposit first and the courier brings it.", "'send deposit first'"),
    ("Pay before viewing, many people interested.", "'pay before viewing'"),
    ("Buy me two Google Play cards and it is yours.", "'google play card'"),
    ("Only Bitcoin accepted.", "'bitcoin'"),
    ("Earn R5 000 a week, a R350 registration fee applies.", "'registration fee'"),
])
def test_scam_phrases(scorer, text, named):
    ad = car(description=CAR_TEXT + " " + text)
    hit = hits(scorer, ad)["scam_pattern"]
    assert hit.why.startswith("looks like a scam: ") and named in hit.why


def test_phrases_do_not_run_across_punctuation_and_the_longest_entry_wins(scorer):
    assert "scam_pattern" not in hits(scorer, car(description=CAR_TEXT + " Deposit & first month's rent."))
    assert "scam_pattern" not in hits(scorer, car(description=CAR_TEXT + " No deposit. First come, first served."))
    ad = car(description=CAR_TEXT + " Send deposit first, then I'm overseas.")
    hit = hits(scorer, ad)["scam_pattern"]
    assert hit.why == "looks like a scam: 'send deposit first', 'i'm overseas'"
    assert spanned(ad, hit) == ["Send deposit first", "I'm overseas"]


def test_urgency_is_a_scam_only_together_with_payment(scorer):
    assert "scam_pattern" not in hits(scorer, car(description=CAR_TEXT + " Urgent sale, emigrating."))
    assert "scam_pattern" not in hits(scorer, car(description=CAR_TEXT + " Deposit of one month's rent."))
    ad = car(description=CAR_TEXT + " Urgent! Pay now via e-wallet and collect today.")
    hit = hits(scorer, ad)["scam_pattern"]
    assert hit.why == "looks like a scam: urgency ('urgent') with payment ('pay now', 'e-wallet')"
    assert spanned(ad, hit) == ["Urgent", "Pay now", "e-wallet"]


# --- contact details -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "082 555 1234", "0825551234", "082-555-1234", "(011) 555 4321", "+27 82 555 1234", "+27 (0)61 555 0000",
    "27825551234", "0027 83 555 1212", "+44 20 7946 0958", "sipho.dlamini@gmail.com", "www.sipho-cars.co.za",
    "https://example.com/ad?id=4", "siphomotors.co.za", "wa.me/27825551234",
])
def test_contact_details_in_the_text(scorer, written):
    ad = car(description=f"{CAR_TEXT} Call {written} now.")
    hit = hits(scorer, ad)["contact_in_text"]
    assert spanned(ad, hit) == [written]
    assert f"'{written}'" in hit.why


def test_a_whatsapp_mention_in_the_title_is_contact_in_text(scorer):
    ad = car(title="Corolla, WhatsApp for price")
    hit = hits(scorer, ad)["contact_in_text"]
    assert hit.spans == (("title", 9, 17),) and hit.why == "contact details in the ad text: mention of 'WhatsApp'"


def test_prices_years_mileage_and_sentences_are_not_contact_details(scorer):
    text = ("Asking R 1 250 000 or R185000, 2016 model, 120 000 km, 12 500 km since service. Fuel 6.5 l/100 km. "
            "Open 08:00-17:00. Erf 1234/56. Good condition.Call for viewing. Ref 2015-2018. Rates R1 200 pm.")
    assert "contact_in_text" not in hits(scorer, car(description=text))


# --- prices ----------------------------------------------------------------------------------------------------------


def _known_cars(scorer: Scorer, n: int, subcategory: str = "Cars") -> None:
    for i in range(n):
        price = int(100_000 * (3 ** (i / max(n - 1, 1)))) * 100  # R100,000 .. R300,000
        scorer.add_known(car(ad_id=f"K{subcategory}{i}", subcategory=subcategory, price_minor=price,
                             description=f"Known ad number {i}.", advertiser_id=f"ADV-K{i}"))


def test_price_rules_wait_for_enough_known_prices(scorer):
    _known_cars(scorer, 19)
    assert not {"too_good_price", "price_out_of_range"} & set(hits(scorer, car(price_minor=500_000)))
    _known_cars(scorer, 1, subcategory="Bakkies")  # another subcategory: 20 in Vehicles, 19 in Cars
    hit = hits(scorer, car(price_minor=500_000))["too_good_price"]
    assert hit.why.startswith("price R 5,000 is far below the usual for Vehicles (median ")
    assert "20 known prices" in hit.why


def test_too_good_and_out_of_range_prices(scorer):
    _known_cars(scorer, 30)
    assert not {"too_good_price", "price_out_of_range"} & set(hits(scorer, car(price_minor=15_000_000)))
    low = hits(scorer, car(price_minor=1_500_000))["too_good_price"]
    assert low.why.startswith("price R 15,000 is far below the usual for Vehicles / Cars (median R 173,")
    assert "half of the 30 known prices between R 1" in low.why
    high = hits(scorer, car(price_minor=1_850_000_000))["price_out_of_range"]
    assert high.why.startswith("price R 18,500,000 is far above the usual for Vehicles / Cars")
    assert "price_out_of_range" not in hits(scorer, car(price_minor=30_000_000))  # R300,000: in range
    assert not {"too_good_price", "price_out_of_range"} & set(hits(scorer, car(price_minor=1_500_000, currency="USD")))


def test_a_category_of_equal_prices_still_has_a_range(scorer):
    for i in range(25):
        scorer.add_known(car(ad_id=f"E{i}", category="Events", subcategory="", price_minor=10_000,
                             description=f"Event ticket {i}", advertiser_id=f"ADV-E{i}"))
    assert not hits(scorer, car(category="Events", subcategory="", price_minor=20_000)).keys() & {
        "too_good_price", "price_out_of_range"}
    assert "price_out_of_range" in hits(scorer, car(category="Events", subcategory="", price_minor=50_000))


# --- duplicates ------------------------------------------------------------------------------------------------------


def test_the_same_text_under_another_advertiser_and_re_posted_by_the_same_one(scorer):
    known = car(ad_id="AD-1", advertiser_id="ADV-1", images=())
    scorer.add_known(known)
    other = car(ad_id="AD-2", advertiser_id="ADV-9", images=(), description=CAR_TEXT.upper().replace(",", " ,"))
    hit = hits(scorer, other)["duplicate"]
    assert hit.why == "same text as ad AD-1 of another advertiser" and hit.refs == ("AD-1",)
    repost = car(ad_id="AD-3", advertiser_id="ADV-1", images=())
    assert hits(scorer, repost)["duplicate"].why == "same text as the advertiser's own ad AD-1 (a re-post)"


def test_an_ad_never_duplicates_itself(scorer):
    ad = car(ad_id="AD-1")
    scorer.add_known(ad)
    assert scorer.score(ad).hits == ()
    edited = dataclasses.replace(ad, description=CAR_TEXT + " Now with a tow bar.")
    assert scorer.score(edited).hits == ()
    scorer.add_known(edited)  # the same ad_id replaces what was known
    assert len(scorer) == 1
    assert hits(scorer, dataclasses.replace(edited, ad_id="AD-2"))["duplicate"].refs == ("AD-1",)


def test_near_duplicate_text_with_a_few_words_changed(scorer):
    scorer.add_known(car(ad_id="AD-1", advertiser_id="ADV-1", images=()))
    changed = (CAR_TEXT.replace("Well looked after", "Neat").replace("98 000", "99 500")
               .replace("Randburg", "Sandton"))
    hit = hits(scorer, car(ad_id="AD-2", advertiser_id="ADV-7", images=(), description=changed))["near_duplicate"]
    assert hit.refs == ("AD-1",)
    assert hit.why.startswith("text ") and hit.why.endswith("% the same as ad AD-1 of another advertiser")
    assert int(hit.why.split()[1].rstrip("%")) >= 50


def test_an_unrelated_ad_is_not_a_near_duplicate(scorer):
    scorer.add_known(car(ad_id="AD-1", images=()))
    other = AdText("AD-2", "3 bedroom house in Centurion", "Spacious family home with a double garage, a pool "
                   "and a large garden. Close to schools and shops, prepaid electricity, title deeds ready.",
                   "Real Estate", 195_000_000, "ZAR", "ADV-3", "Houses for Sale", images=(image(),))
    assert not {"duplicate", "near_duplicate"} & set(hits(scorer, other))
    same_words_other_order = car(ad_id="AD-3", images=(), description=" ".join(sorted(CAR_TEXT.split())))
    assert "near_duplicate" not in hits(scorer, same_words_other_order)


def test_short_texts_are_never_text_duplicates(scorer):
    scorer.add_known(car(ad_id="AD-1", title="Room", description="To rent", images=()))
    assert not {"duplicate", "near_duplicate"} & set(hits(scorer, car(title="Room", description="To rent",
                                                                       images=())))


def test_the_same_and_nearly_the_same_pictures():
    scorer = Scorer(default_ruleset())
    photo = image(phash="4cbc4cccd2929291")
    scorer.add_known(car(ad_id="AD-1", advertiser_id="ADV-1", description="A different text about a bakkie.",
                         images=(photo,)))
    stolen = car(ad_id="AD-2", advertiser_id="ADV-2", images=(image(), photo))
    assert hits(scorer, stolen)["duplicate"].why == "image 2 is the same file as ad AD-1 of another advertiser"
    resaved = AdImage(f"{1:064x}", 800, 600, f"{0x4cbc4cccd2929291 ^ 0b101:016x}")  # 2 bits apart, another file
    hit = hits(scorer, car(ad_id="AD-3", advertiser_id="ADV-1", images=(resaved,)))["near_duplicate"]
    assert hit.why == "image 1 looks like the picture of the advertiser's own ad AD-1 (a re-post) (2 bits apart)"
    far = AdImage(f"{2:064x}", 800, 600, f"{0x4cbc4cccd2929291 ^ 0b1111:016x}")  # 4 bits apart
    assert "near_duplicate" not in hits(scorer, car(ad_id="AD-4", images=(far,)))


def test_removed_ads_are_no_longer_duplicates(scorer):
    scorer.add_known(car(ad_id="AD-1"))
    scorer.remove_known("AD-1")
    scorer.remove_known("AD-404")  # unknown: nothing happens
    assert len(scorer) == 0
    assert scorer.score(car(ad_id="AD-2")).hits == ()


# --- missing details, category, images, shouting ---------------------------------------------------------------------


def test_missing_details(scorer):
    ad = car(title="Car", description="Call me.", price_minor=None, images=())
    hit = hits(scorer, ad)["missing_details"]
    assert hit.why == ("the title has 3 characters (at least 10); the description has 8 characters (at least 30); "
                       "no price (Vehicles ads need one); no images (Vehicles ads need them)")
    assert spanned(ad, hit) == ["Car", "Call me."]
    assert "missing_details" not in hits(scorer, car(price_minor=None, images=(), ad_type="Wanted"))
    assert "missing_details" not in hits(scorer, car(category="Services", subcategory="", price_minor=None,
                                                     images=(), title="Reliable mechanic in Randburg"))


def test_category_mismatch(scorer):
    ad = car(category="Jobs", subcategory="", price_minor=None)
    hit = hits(scorer, ad)["category_mismatch"]
    assert hit.why == "reads like Vehicles ('toyota', 'sedan', 'service history', 'km', 'tyres' and 2 more), not Jobs"
    assert {"sedan", "service history", "km", "tyres"} <= set(spanned(ad, hit))
    driver = car(category="Jobs", subcategory="", price_minor=None, title="Code 10 driver wanted",
                 description="Vacancy for a driver with a code 10 licence and 3 years of experience. Salary "
                             "R8 000 per month. Apply with your CV and references; the truck is automatic.")
    assert "category_mismatch" not in hits(scorer, driver)


def test_small_images_in_either_orientation(scorer):
    assert "small_images" not in hits(scorer, car(images=(image(240, 320), image(320, 240))))
    hit = hits(scorer, car(images=(image(), image(200, 150))))["small_images"]
    assert hit.why == "image 2 is 200×150 px (at least 320×240 px)"
    assert "small_images" not in hits(scorer, car(images=(AdImage("ab" * 32),)))  # size unknown


def test_shouting(scorer):
    ad = car(title="BEST DEAL IN TOWN ON THIS COROLLA")
    hit = hits(scorer, ad)["shouting"]
    assert hit.why == "shouting: the title is 100% capitals" and hit.spans == (("title", 0, len(ad.title)),)
    marks = car(description=CAR_TEXT + " Don't miss out!!! Call now!")
    assert hits(scorer, marks)["shouting"].why == "shouting: 4 exclamation marks"
    assert "shouting" not in hits(scorer, car(title="VW Polo GTI 2019 with BMW rims"))
    assert "shouting" not in hits(scorer, car(title="TV"))  # too few letters to shout


# --- weights and risk ------------------------------------------------------------------------------------------------


def test_risk_adds_the_weights_up_to_100_and_a_weight_of_0_turns_a_rule_off():
    ad = car(title="Car", description="Sh1t 9mm pistol, Western Union, WhatsApp 082 555 1234!!!!", images=())
    full = Scorer(default_ruleset()).score(ad)
    assert full.risk == 100 and sum(h.weight for h in full.hits) > 100
    assert [h.weight for h in full.hits] == sorted((h.weight for h in full.hits), reverse=True)
    weights = {rule: 0 for rule in RULES} | {"missing_details": 7, "shouting": 3}
    quiet = Scorer(dataclasses.replace(default_ruleset(), weights=weights)).score(ad)
    assert [h.rule for h in quiet.hits] == ["missing_details", "shouting"] and quiet.risk == 10


def test_word_lists_are_data(scorer):
    ad = car(description=CAR_TEXT + " Comes with a free lightsaber.")
    assert "prohibited_item" not in hits(scorer, ad)
    rs = default_ruleset()
    custom = Scorer(dataclasses.replace(rs, prohibited_items=(*rs.prohibited_items, "lightsaber")))
    assert spanned(ad, hits(custom, ad)["prohibited_item"]) == ["lightsaber"]


# --- the rule set as JSON --------------------------------------------------------------------------------------------


def test_ruleset_json_round_trip():
    rs = default_ruleset()
    data = ruleset_to_json(rs)
    assert list(data) == [f.name for f in dataclasses.fields(rs)]
    assert ruleset_from_json(json.loads(json.dumps(data))) == rs
    changed = dataclasses.replace(rs, version=7, min_title_chars=12, near_duplicate_jaccard=0.6,
                                  category_keywords={**rs.category_keywords, "Jobs": ("vacancy", "salary")})
    assert ruleset_from_json(json.loads(json.dumps(ruleset_to_json(changed)))) == changed
    assert set(rs.weights) == set(RULES) and set(rs.category_keywords) == set(CATEGORIES)


def test_keys_left_out_take_the_defaults():
    rs = ruleset_from_json({"version": 3, "weights": {"shouting": 0}})
    assert rs.version == 3 and rs.weights["shouting"] == 0
    assert rs.weights["scam_pattern"] == default_ruleset().weights["scam_pattern"]
    assert rs.prohibited_items == default_ruleset().prohibited_items


def _problem(**changes: object) -> str:
    data = ruleset_to_json(default_ruleset()) | changes
    with pytest.raises(ValueError) as err:
        ruleset_from_json(data)
    return str(err.value)


@pytest.mark.parametrize("changes, message", [
    ({"prohibited_itemz": []}, "unknown key 'prohibited_itemz' (did you mean 'prohibited_items'?): remove it"),
    ({"weights": {"scam_pattern": 150}}, "the weight of 'scam_pattern' must be a whole number from 0 to 100, got 150"),
    ({"weights": {"shouting": -1}}, "the weight of 'shouting' must be a whole number from 0 to 100, got -1"),
    ({"weights": {"scam_pattern": "50"}}, "the weight of 'scam_pattern' must be a whole number from 0 to 100, "
                                          "got '50' (text)"),
    ({"weights": {"scam": 50}}, "'weights' has an unknown rule 'scam'; the rules are: prohibited_item,"),
    ({"weights": [1, 2]}, "'weights' must be an object of rule: weight, got a list"),
    ({"prohibited_items": ["gun", " "]}, "'prohibited_items' item 2 is empty: remove it or type the word"),
    ({"offensive_words": ["!!!"]}, "'offensive_words' item 1 '!!!' has no letter or digit, so it can never match"),
    ({"scam_phrases": "western union"}, "'scam_phrases' must be a list of words, got text"),
    ({"contact_words": [5]}, "'contact_words' item 1 must be text, got 5"),
    ({"min_title_chars": "10"}, "'min_title_chars' must be a whole number from 0 to 200, got '10' (text)"),
    ({"min_title_chars": True}, "'min_title_chars' must be a whole number from 0 to 200, got True (true/false)"),
    ({"min_known_prices": 1}, "'min_known_prices' must be a whole number from 2 to 1000000, got 1"),
    ({"near_duplicate_jaccard": 1.5}, "'near_duplicate_jaccard' must be a number from 0.1 to 1, got 1.5"),
    ({"image_hamming_max": 9}, "'image_hamming_max' must be a whole number from 0 to 5, got 9"),
    ({"category_keywords": {"Cars": ["sedan"]}}, "'category_keywords' has an unknown category 'Cars'; the "
                                                  "categories are: Jobs, Real Estate, Vehicles,"),
    ({"category_keywords": {"Jobs": ["cv", ""]}}, "'category_keywords' of 'Jobs' item 2 is empty"),
    ({"categories_needing_price": ["Vehicle"]}, "'categories_needing_price' item 1 'Vehicle' is not a category "
                                                "(did you mean 'Vehicles'?)"),
    ({"web_domains": ["co.za", "http://x"]}, "'web_domains' item 2 'http://x' must be a domain ending such as "
                                             "'co.za'"),
    ({"leetspeak": {"10": "o"}}, "'leetspeak' key '10' must be one character"),
    ({"leetspeak": {"0": "0"}}, "'leetspeak' value of '0' must be one letter, got '0' (text)"),
    ({"version": 0}, "'version' must be a whole number from 1 to"),
])
def test_each_validation_message_says_what_to_fix(changes, message):
    problem = _problem(**changes)
    assert problem.startswith("the rule set has a problem: ")
    assert message in problem


def test_all_problems_are_named_at_once_and_version_is_required():
    data = {"min_title_chars": -1, "shouting_caps_ratio": 0}
    with pytest.raises(ValueError) as err:
        ruleset_from_json(data)
    text = str(err.value)
    assert text.startswith("the rule set has 3 problems: ")
    assert "'version' is missing" in text and "'min_title_chars'" in text and "'shouting_caps_ratio'" in text
    with pytest.raises(ValueError, match="a rule set must be a JSON object, got a list"):
        ruleset_from_json([])  # type: ignore[arg-type]


def test_a_scorer_checks_a_rule_set_built_in_code():
    with pytest.raises(ValueError, match="'lsh_bands' must be a whole number from 1 to 64, got 0"):
        Scorer(dataclasses.replace(default_ruleset(), lsh_bands=0))


# --- images and the indexes -----------------------------------------------------------------------------------------


def _picture(shift: int = 0, size: tuple[int, int] = (640, 480)) -> Image.Image:
    img = Image.new("RGB", size, (200, 220, 240))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle([w * 0.1, h * 0.5, w * 0.6, h * 0.9], fill=(180, 30, 30))
    draw.ellipse([w * 0.55 + shift, h * 0.1, w * 0.9, h * 0.5], fill=(250, 200, 0))
    draw.polygon([(0, h), (w * 0.3, h * 0.3), (w * 0.7, h)], fill=(40, 120, 40))
    return img


def _encoded(img: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def test_image_phash(tmp_path):
    original = image_phash(_encoded(_picture()))
    assert original[1:] == (640, 480) and len(original[0]) == 16
    resized = image_phash(_encoded(_picture().resize((320, 240)), "JPEG", quality=70))
    assert resized[1:] == (320, 240) and hamming(int(original[0], 16), int(resized[0], 16)) <= 3
    other = image_phash(_encoded(_picture(shift=160).transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    assert hamming(int(original[0], 16), int(other[0], 16)) > 10
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side, shown turned right
    path = tmp_path / "sideways.jpg"
    path.write_bytes(_encoded(_picture().rotate(90, expand=True), "JPEG", exif=exif, quality=90))
    turned = image_phash(path)
    assert turned[1:] == (640, 480) and hamming(int(original[0], 16), int(turned[0], 16)) <= 3
    with pytest.raises(ValueError, match="not an image"):
        image_phash(b"not an image at all")


def test_image_index_finds_hashes_within_the_distance_only():
    rng = random.Random(3)
    index = ImageIndex(max_distance=3)
    hashes = [rng.getrandbits(64) for _ in range(3000)]
    for slot, h in enumerate(hashes):
        index.add(slot, rng.getrandbits(64), h)
    for slot in range(0, 3000, 97):
        for distance in range(6):
            query = hashes[slot]
            for bit in rng.sample(range(64), distance):
                query ^= 1 << bit
            assert (slot in dict(index.near(query))) == (distance <= 3), (slot, distance)


def test_packed_multimap_keeps_every_value_through_growth():
    table = PackedMultimap(value_bits=28)
    for i in range(5000):
        table.add(i % 1700, i)  # small, similar keys: they must still spread
    assert len(table) == 5000
    assert sorted(table.get(7)) == [7, 1707, 3407]
    counts: dict[int, int] = {}
    assert sorted(table.count_values([1, 2, 99_999], counts)) == [1, 2, 1701, 1702, 3401, 3402]
    assert counts == dict.fromkeys([1, 2, 1701, 1702, 3401, 3402], 1)
    for i in range(10):  # a key with many values keeps the first ones in the table, the rest aside
        table.add(424242, 100_000 + i)
    assert sorted(table.get(424242)) == list(range(100_000, 100_010)) and len(table) == 5010
    with pytest.raises(ValueError, match="a value must be from 0 to 268435455"):
        table.add(1, 2**28)


# --- the labelled data of the benchmark ------------------------------------------------------------------------------


def test_the_labelled_ads_are_well_formed():
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    assert 1500 <= len(lines) <= 2500 and LABELLED.stat().st_size < 1_600_000
    seen: dict[str, int] = dict.fromkeys(RULES, 0)
    ids = set()
    for line in lines:
        row = json.loads(line)
        labels = row.pop("labels")
        ad = AdText(**{**row, "images": tuple(AdImage(**i) for i in row["images"])})
        assert ad.category in CATEGORIES and ad.ad_id not in ids
        ids.add(ad.ad_id)
        for label in labels:
            seen[label] += 1
    assert all(n >= 30 for n in seen.values()), seen


def test_an_ad_row_naming_an_image_by_anything_but_a_hash_is_refused():
    from saypro_desktop.core.row_checks import field_problem

    assert field_problem("ad", "images", [{"sha256": "a" * 64, "size": 5, "filename": "car.jpg"}]) is None
    assert "sha256" in field_problem("ad", "images", [{"sha256": "../../etc/passwd"}])
    assert "list" in field_problem("ad", "images", {"sha256": "a" * 64})
    assert field_problem("ad", "price_minor", -1) is not None


def test_a_crowded_key_gives_only_its_newest_values_when_asked():
    table = PackedMultimap(value_bits=28)
    for i in range(100):
        table.add(5, i)
    table.add(6, 1)
    assert sorted(table.get(5)) == list(range(100))
    assert sorted(table.get(5, newest=10)) == list(range(90, 100))
    assert sorted(table.get(5, newest=98)) == [0, 1, *range(4, 100)]  # two of the table's first four
    assert table.get(6, newest=3) == [1]
    counts: dict[int, int] = {}
    assert sorted(table.count_values([5, 6], counts, newest=2)) == [1, 98, 99]


def test_near_duplicates_are_found_among_thousands_of_boilerplate_ads():
    """A text posted thousands of times fills every band bucket; a query reads only the newest ads of a crowded
    bucket, and still finds a near copy of an ad that is not among them."""
    scorer = Scorer(default_ruleset())
    boiler = ("Reliable delivery across Gauteng, cash on collection, viewing by appointment, call during office "
              "hours, serious buyers only please")
    rng = random.Random(9)
    for n in range(3000):
        scorer.add_known(AdText(ad_id=f"B-{n}", title="Item for sale", description=f"{boiler} ref {rng.random()}",
                                category="Electronics", price_minor=None, currency="ZAR",
                                advertiser_id=f"U{n}"))
    original = ("Canon EOS 250D camera with two lenses, a bag, a spare battery and a 64 GB card, barely used and "
                "kept in its box since the holiday in Knysna, lens caps and strap included")
    scorer.add_known(AdText(ad_id="A-1", title="Canon camera", description=f"{original} {boiler}",
                            category="Electronics", price_minor=650000, currency="ZAR", advertiser_id="U-orig"))
    for n in range(3000, 4000):
        scorer.add_known(AdText(ad_id=f"B-{n}", title="Item for sale", description=f"{boiler} ref {rng.random()}",
                                category="Electronics", price_minor=None, currency="ZAR", advertiser_id=f"U{n}"))
    copy = original.replace("barely used", "hardly used")
    result = scorer.score(AdText(ad_id="A-2", title="Canon camera", description=f"{copy} {boiler}",
                                 category="Electronics", price_minor=640000, currency="ZAR", advertiser_id="U-copy"))
    near = [h for h in result.hits if h.rule == "near_duplicate"]
    assert near and "A-1" in near[0].refs
    same = scorer.score(AdText(ad_id="A-3", title="Item for sale", description=f"{boiler} ref 0.5",
                               category="Electronics", price_minor=None, currency="ZAR", advertiser_id="U-x"))
    near = [h for h in same.hits if h.rule == "near_duplicate"]
    assert near and len(near[0].refs) <= 20  # names some of the thousands, not all
