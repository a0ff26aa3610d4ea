"""Generates the labelled classified ads of the moderation rules' benchmark (seeded, so the file is reproducible).

    .venv/bin/python scripts/make_moderation_labelled.py [--count 2000] [--seed 2025] [--out PATH]

Each line is an ad (the fields of ``AdText``, images as objects) and ``labels``: the rule codes that truly apply
when the ad is scored with all the OTHER ads of the file known (what bench/bench_moderation_rules.py does). So
both ads of a duplicate pair carry ``duplicate``, and the price labels say the price is far from what the file's
ads of that subcategory ask. About two thirds of the ads are clean ads of every category, including traps a
naive rule falls for (a glue gun, an ivory dress, a rental deposit, mileage and prices in the text, "emigrating");
the rest break one rule, sometimes two, some in leetspeak or with accents. ``generate()`` is also used by the
benchmark for its 60,000 ads of the throughput run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "moderation_labelled.jsonl"

PLACES = (
    "Soweto", "Sandton", "Randburg", "Midrand", "Tembisa", "Boksburg", "Benoni", "Centurion", "Pretoria East",
    "Mamelodi", "Cape Town CBD", "Bellville", "Khayelitsha", "Mitchells Plain", "Durbanville", "Umhlanga",
    "Umlazi", "Pinetown", "Pietermaritzburg", "Gqeberha", "East London", "Bloemfontein", "Polokwane", "Mbombela",
    "Rustenburg", "Kimberley", "George", "Stellenbosch", "Paarl", "Vereeniging", "Krugersdorp", "Roodepoort",
)  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
COLOURS = ("white", "silver", "grey", "black", "red", "blue", "dark blue", "champagne", "maroon", "green")
NAMES = ("thabo", "lerato", "sipho", "anele", "pieter", "chantel", "ayesha", "nomsa", "kagiso", "johan", "zanele")


def rand_money(rng: random.Random, lo: float, hi: float) -> int:
    """A price in cents, log-uniform between lo and hi rand, rounded like people round prices."""
    value = lo * (hi / lo) ** rng.random()
    step = 1000 if value > 50_000 else 100 if value > 5_000 else 50 if value > 500 else 10
    return int(max(step, round(value / step) * step) * 100)


def rands(cents: int) -> str:
    return "R" + f"{cents // 100:,}".replace(",", " ")


def pick(rng: random.Random, pool: list[str] | tuple[str, ...], k: int) -> list[str]:
    return rng.sample(list(pool), min(k, len(pool)))


@dataclass
class Sub:
    category: str
    name: str
    price: tuple[float, float] | None  # rand
    make: Callable[[random.Random, str], tuple[str, list[str]]]  # (rng, place) -> title, sentences
    price_share: float = 1.0
    images: tuple[int, int] = (1, 4)
    ad_type: str = "Offer"
    weight: float = 1.0


# --- clean ads per subcategory --------------------------------------------------------------------------------------

CARS = (("Toyota", "Corolla"), ("Toyota", "Yaris"), ("VW", "Polo Vivo"), ("VW", "Golf 7"), ("Ford", "Fiesta"),
        ("Hyundai", "i20"), ("Kia", "Picanto"), ("Nissan", "Almera"), ("BMW", "320i"), ("Mercedes-Benz", "C200"),
        ("Renault", "Kwid"), ("Suzuki", "Swift"), ("Honda", "Jazz"), ("Mazda", "CX-5"), ("Audi", "A3 Sportback"),
        ("Chevrolet", "Spark"), ("Datsun", "Go+"), ("Haval", "Jolion"))
BAKKIES = (("Toyota", "Hilux 2.4 GD-6"), ("Ford", "Ranger 2.2 XL"), ("Isuzu", "D-Max 250"), ("Nissan", "NP200"),
           ("VW", "Amarok"), ("Mahindra", "Pik Up"), ("GWM", "Steed 5"), ("Toyota", "Land Cruiser 79"))
BIKES = (("Honda", "CBR 500R"), ("Yamaha", "YZF-R3"), ("BMW", "R 1250 GS"), ("Kawasaki", "Ninja 650"),
         ("Suzuki", "V-Strom 650"), ("KTM", "390 Duke"), ("Big Boy", "Velocity 150"), ("Harley-Davidson", "Sportster"))
PARTS = ("set of 4 mag rims 15 inch", "Polo Vivo headlight", "Hilux tow bar", "Ranger canopy", "car battery 652",
         "Corolla gearbox", "Golf 5 side mirror", "roof racks", "bakkie tonneau cover", "car seat covers")


def _vehicle(rng: random.Random, place: str, models: tuple[tuple[str, str], ...], kind: str) -> tuple[str, list]:
    make, model = rng.choice(models)
    year, km = rng.randint(2008, 2024), rng.randrange(8, 260) * 1000
    trans = rng.choice(("manual", "automatic"))
    title = rng.choice((f"{year} {make} {model}", f"{make} {model} {year} {trans}", f"{year} {make} {model} for sale",
                        f"Neat {make} {model} ({year})"))
    pool = [
        f"{year} model with {km:,} km on the clock.".replace(",", " "),
        f"Full service history at {make}, last serviced at {km - rng.randrange(1, 8) * 1000:,} km.".replace(",", " "),
        f"{rng.choice(COLOURS).capitalize()} with {rng.choice(('cloth', 'leather', 'half-leather'))} seats.",
        rng.choice(("[Aircon|Air conditioning|A/C], [electric windows|power windows], central locking [and a radio "
                    "with Bluetooth|and a touch screen|and a new sound system].",
                    "[Power steering, airbags, ABS and aircon all working|Everything works: aircon, ABS, airbags|"
                    "All extras in working order].")),
        f"Tyres are {rng.choice((60, 70, 80, 90))}% good.",
        rng.choice(("[Never been in an accident|Accident free|No accidents, ever].",
                    "[No accident damage, original paint|Original paint all round|Body is straight, no rust].",
                    "[Minor scratch on the bumper|Small dent on the back door|A few stone chips on the bonnet].")),
        "[Spare key and manuals included|Comes with both keys and the books|Second key available].",
        f"Licence disc valid until {rng.choice(MONTHS)} {rng.randint(2025, 2026)}.",
        "[Roadworthy certificate will be issued on sale|RWC done|New roadworthy on sale|Will be licensed in your "
        "name].",
        rng.choice(("[Price slightly negotiable for a serious buyer|Slightly neg for cash|Small discount for a "
                    "quick deal].", "[Price is firm|Firm price|No haggling please|Fixed price].",
                    "[Open to reasonable offers|Make me an offer|Best offer takes it].")),
        f"Viewing in {place} by appointment.",
        rng.choice((f"Reason for selling: upgrading to a bigger {kind}.",
                    "[Selling because I am emigrating|We are emigrating|Moving overseas next year].",
                    "[Selling because we bought a company car|Got a company car|Don't need two cars anymore].")),
        f"Fuel consumption about {rng.randint(5, 11)}.{rng.randint(0, 9)} l/100 km.",
        f"{trans.capitalize()} gearbox shifts smoothly and the engine runs perfectly.",
        rng.choice(("[Stolen vehicle recovery unit fitted|Tracking unit installed|Has a tracker].",
                    "[Tracker fitted|Netstar tracking|Alarm and immobiliser].",
                    "[Towbar fitted|Has a tow hitch|Roof racks included].")),
    ]
    return title, pick(rng, pool, rng.randint(4, 7))


def _cars(rng, place):
    return _vehicle(rng, place, CARS, "car")


def _bakkies(rng, place):
    title, sents = _vehicle(rng, place, BAKKIES, "bakkie")
    return title, [*sents, rng.choice(("Canopy and tow bar fitted.", "Double cab, 4x4, diff lock.",
                                       "Single cab with a load bin liner.", "Extended cab, 4x2."))]


def _bikes(rng, place):
    make, model = rng.choice(BIKES)
    year, km = rng.randint(2010, 2024), rng.randrange(2, 90) * 1000
    title = rng.choice((f"{year} {make} {model}", f"{make} {model} motorbike", f"{make} {model} for sale ({year})"))
    pool = [f"Only {km:,} km, always garaged.".replace(",", " "),
            "[Comes with two helmets and a rain suit|Helmet and gloves included|Includes a top box].",
            "[New chain and sprockets fitted last month|New tyres front and back|Battery replaced in winter].",
            f"Licence disc valid until {rng.choice(MONTHS)}.",
            "[Never dropped|No falls|Not a scratch on it].",
            "[Service history available|Serviced by the agent|All slips in a file].",
            f"Viewing in {place}, weekends only.",
            "[Perfect commuter, very economical|Great on fuel|Beats the traffic every day].",
            rng.choice(("Price negotiable.", "No offers, price is firm."))]
    return title, pick(rng, pool, rng.randint(3, 6))


def _parts(rng, place):
    part = rng.choice(PARTS)
    title = rng.choice((f"{part.capitalize()} for sale", f"Used {part}", f"{part.capitalize()}, good condition"))
    pool = [f"Selling a {part}, removed from my own car.",
            "[In good working order|Works as it should|Tested and working].",
            "[Fits most models, ask first|Check the part number first|Fits 2010 to 2016 models].",
            f"Collection in {place}.",
            "[Can courier at the buyer's cost|Courier possible, buyer pays|PostNet to PostNet at your cost].",
            "[Cash on collection|Cash only|Payment when you fetch it].",
            "[Bought new last year|Only six months old|Used for one season].",
            "[No returns|Sold as is|Sold voetstoots]."]
    return title, pick(rng, pool, rng.randint(3, 5))


def _house(rng, place):
    beds, baths = rng.randint(2, 5), rng.randint(1, 3)
    erf = rng.randrange(250, 1500, 10)
    title = rng.choice((f"{beds} bedroom house in {place}", f"Family home for sale in {place}",
                        f"{beds} bed, {baths} bath house, {place}", f"Spacious {beds} bedroom home in {place}"))
    pool = [f"{beds} bedrooms and {baths} bathrooms, the main bedroom en suite.",
            "[Open-plan kitchen and lounge with a fireplace|Modern kitchen with granite tops|Separate dining room "
            "and a lounge].",
            rng.choice(("Double garage.", "Single garage and carport.")), f"Erf size {erf} m².",
            rng.choice(("Pool and braai area.", "Large garden with a lapa.", "Small, neat garden.")),
            "[Close to schools, shops and taxi routes|Walk to the primary school|Minutes from the highway].",
            f"Rates and taxes about R{rng.randint(6, 25) * 100} per month.",
            "[Prepaid electricity and municipal water|Borehole and municipal water|Solar panels and an inverter].",
            "[Transfer costs for the buyer's account|Buyer pays transfer|No transfer duty, VAT inclusive].",
            f"Show house on Sunday from 14:00 to 16:00 in {place}.",
            "[Title deeds available, no bond|Paid off, no bond|Quick transfer possible].",
            rng.choice(("Pet friendly estate.", "24-hour security with access control.", "Solar geyser installed."))]
    return title, pick(rng, pool, rng.randint(4, 7))


def _flat(rng, place):
    beds = rng.randint(1, 3)
    title = rng.choice((f"{beds} bedroom flat to rent in {place}", f"Apartment to rent, {place}",
                        f"Neat {beds} bed flat available {rng.choice(MONTHS)}"))
    pool = [f"{beds} bedroom apartment with one bathroom and an open-plan kitchen.",
            "[Deposit of one month's rent required, lease of 12 months|One month deposit, 12 month lease|Deposit "
            "and first month's rent on signing].", f"Available from 1 {rng.choice(MONTHS)}.",
            "[Water included, prepaid electricity|Water and refuse included|Electricity on a prepaid meter].",
            "[Secure complex with 24-hour security|Guarded complex with an electric fence|Access control and CCTV].",
            rng.choice(("Pet friendly.", "No pets allowed.", "Small pets allowed on request.")),
            "[One covered parking bay|Parking for one car|Two open parking bays].",
            f"Close to the Gautrain and shops in {place}.",
            "[Three months' bank statements and a payslip needed|Proof of income required|Credit check will be "
            "done].", "[Viewing by appointment on weekdays after 17:00|Viewings on Saturday mornings|Call to "
                      "arrange a viewing]."]
    return title, pick(rng, pool, rng.randint(4, 6))


def _room(rng, place):
    title = rng.choice((f"Room to rent in {place}", f"Furnished room in {place}", f"Backroom to rent, {place}"))
    pool = ["[Room in a shared house with a shared bathroom|Own entrance and own bathroom|Shared kitchen with two "
            "others].", "[Suitable for a working person or a student|Ideal for a single professional|Students "
                        "welcome].",
            "[Wi-Fi and water included, electricity shared|Uncapped fibre included|All bills included].",
            f"Walking distance to the taxi rank in {place}.",
            "[Deposit required before moving in|Deposit payable on signing|Half a month deposit].",
            "[No smoking inside|Non-smokers only|No parties].",
            "[Available immediately|Move in now|Vacant from next week].",
            "[Quiet and safe area with a gate motor|Safe yard with a remote gate|Dogs on the property]."]
    return title, pick(rng, pool, rng.randint(3, 5))


def _land(rng, place):
    size = rng.randrange(300, 5000, 50)
    title = rng.choice((f"Vacant stand in {place}", f"{size} m² plot for sale, {place}", f"Residential erf in {place}"))
    pool = [f"Vacant stand of {size} m² in a quiet street.",
            "[Zoned residential, build your dream home|Build your own home|Ready to build, plans available].",
            "[Water and electricity connection on the stand|Services at the boundary|Eskom connection available].",
            "[Title deeds ready for transfer|Deeds in hand|Quick registration].",
            f"Close to the new mall in {place}.",
            "[Gentle slope with a view|Flat and easy to build on|Corner stand with mountain views].",
            f"[Levies R{rng.randint(3, 9)}50 per month in the estate|No levies|Estate with a clubhouse and a dam]."]
    return title, pick(rng, pool, rng.randint(3, 5))


JOBS = (("general worker", "Building & Trades"), ("code 10 driver", "Drivers"), ("domestic worker", "Domestic"),
        ("receptionist", "Admin"), ("sales consultant", "Sales"), ("waiter", "Hospitality"), ("chef", "Hospitality"),
        ("bookkeeper", "Admin"), ("electrician assistant", "Building & Trades"), ("nanny", "Domestic"),
        ("delivery driver", "Drivers"), ("call centre agent", "Sales"))


def _job_maker(sub: str) -> Callable[[random.Random, str], tuple[str, list[str]]]:
    def make(rng: random.Random, place: str) -> tuple[str, list[str]]:
        role = rng.choice([r for r, s in JOBS if s == sub])
        salary = rng.randrange(45, 220) * 100
        title = rng.choice((f"{role.capitalize()} needed in {place}", f"Vacancy: {role}", f"Hiring a {role}",
                            f"{role.capitalize()} wanted, start {rng.choice(MONTHS)}"))
        pool = [f"We are looking for an experienced {role} to join our team in {place}.",
                f"Requirements: matric and {rng.randint(1, 5)} years of experience.",
                f"Salary R{salary:,} per month, negotiable.".replace(",", " "),
                f"Closing date: {rng.randint(1, 28)} {rng.choice(MONTHS)}.",
                "[Only shortlisted candidates will be contacted|If you do not hear from us in two weeks, you were "
                "unsuccessful|We will call the shortlisted applicants].",
                "[Please bring your CV and two references|Bring a CV and copies of certificates|Two contactable "
                "references needed].",
                rng.choice(("Full time position, Monday to Friday.", "Part time, three shifts a week.",
                            "Must be willing to work shifts and weekends.")),
                "[Own transport is an advantage|Must live nearby|Must be able to start early].",
                rng.choice(("Urgently hiring, start immediately.", "Apply before the end of the month.")),
                "[Interviews will be held at our office|Walk-in interviews on Monday|Short assessment on the day]."]
        if rng.random() < 0.03:  # a legitimate employer's warning still names the fee (a known false alarm)
            pool.append("We never charge a registration fee.")
        return title, pick(rng, pool, rng.randint(4, 6))
    return make


SERVICES = {
    "Plumbing": ("plumber", ["We fix burst pipes, geysers, blocked drains and leaking taps.",
                             "Registered plumber, CoC issued.", "Geyser installations and repairs."]),
    "Electrical": ("electrician", ["Certificates of compliance, DB boards and plugs.",
                                   "Registered electrician with 15 years of experience.",
                                   "Solar and inverter installations."]),
    "Cleaning": ("cleaning service", ["Carpet and upholstery cleaning.", "Once-off and weekly home cleaning.",
                                      "Move-in and move-out cleans."]),
    "Building": ("builder", ["Renovations, paving, tiling and painting.", "Ceilings, drywalls and waterproofing.",
                             "Building plans and extensions."]),
    "Tutoring": ("maths tutor", ["Maths and science tutoring for grades 8 to 12.", "Online or at your home.",
                                 "Matric exam preparation classes."]),
    "Removals": ("removal company", ["Furniture removals, local and long distance.",
                                     "Closed truck with blankets and straps.", "Helpers included."]),
}  # fmt: skip


def _service_maker(sub: str) -> Callable[[random.Random, str], tuple[str, list[str]]]:
    who, own = SERVICES[sub]

    def make(rng: random.Random, place: str) -> tuple[str, list[str]]:
        title = rng.choice((f"Reliable {who} in {place}", f"{sub} services, {place} and surrounds",
                            f"Affordable {who}, free quotes", f"{who.capitalize()} available this week"))
        pool = [*own, "[Free quotations|Free quotes|Quotes at no charge].",
                "[No job too small|Big and small jobs|Residential and commercial].",
                "[Available weekends and public holidays|We work Saturdays|Emergency call-outs after hours].",
                f"Serving {place} and surrounding areas.", f"{rng.randint(3, 25)} years of experience.",
                "[Work guaranteed|Six-month guarantee on labour|Neat and tidy work].",
                "[Pensioners get a discount|Special rates for pensioners|10% off for first-time clients].",
                f"Call-out fee R{rng.randint(2, 6)}50."]
        return title, pick(rng, pool, rng.randint(3, 6))
    return make


SALE_ITEMS = {
    "Electronics": (("Samsung 55 inch smart TV", 3000, 12000), ("iPhone 12, 128 GB", 4000, 9000),
                    ("Dell laptop, i5, 8 GB RAM", 2500, 9000), ("PlayStation 5 with two controllers", 6000, 10000),
                    ("Canon camera with 18-55 mm lens", 2500, 9000), ("Bluetooth speaker", 300, 2500),
                    ("Hisense 32 inch TV", 1200, 3000), ("Huawei tablet", 1000, 4000)),
    "Furniture": (("L-shaped couch", 2000, 9000), ("dining table with six chairs", 1500, 8000),
                  ("queen bed frame and mattress", 1500, 7000), ("wardrobe with mirror", 800, 4000),
                  ("office chair", 400, 2500), ("coffee table", 300, 1800), ("bunk bed", 1200, 3500)),
    "Appliances": (("Defy fridge freezer", 2000, 7000), ("LG front loader washing machine", 2500, 8000),
                   ("microwave oven", 400, 1500), ("4 plate stove with oven", 1500, 5000),
                   ("chest freezer", 1500, 5000), ("Kenwood stand mixer", 1200, 4500)),
    "Baby & Kids": (("pram and car seat combo", 800, 4000), ("baby cot with mattress", 600, 2500),
                    ("kids bicycle 16 inch", 400, 1500), ("high chair", 250, 1200), ("Lego set", 300, 2500)),
    "Clothing": (("ivory wedding dress, size 34", 1500, 6000), ("leather jacket", 400, 2000),
                 ("Nike sneakers size 8", 500, 2000), ("school uniform bundle", 150, 800), ("men's suit", 600, 2500)),
    "Tools": (("glue gun and sticks", 100, 400), ("Makita drill set", 800, 3500), ("heat gun", 250, 900),
              ("Bosch angle grinder", 500, 1800), ("gun safe", 2000, 6000),
              ("pressure washer", 1000, 4000), ("nail gun with compressor", 1500, 5000)),
}  # fmt: skip


def _sale_maker(sub: str) -> Callable[[random.Random, str], tuple[str, list[str]]]:
    def make(rng: random.Random, place: str) -> tuple[str, list[str]]:
        item, _, _ = rng.choice(SALE_ITEMS[sub])
        name = f"{item[0].upper()}{item[1:]}"
        title = rng.choice(((name,) if len(name) >= 12 else ())
                           + (f"{name} for sale", f"Selling my {item}", f"{name}, like new"))
        pool = [f"Selling my {item}, {rng.choice(('barely used', 'in good condition', 'like new', 'a few marks'))}.",
                rng.choice(("Still under warranty.", "Original box and slip.", "No box.")),
                f"Collection in {place}.",
                rng.choice(("Price negotiable.", "[Price is firm|Firm price|No haggling please|Fixed price].",
                            "Quick sale.")),
                "[Can deliver nearby for a small fee|Delivery possible in the area|Buyer to collect].",
                "[Works perfectly|No faults|Everything works].",
                "[Moving house, must go|Moving flats, no space|Downsizing].",
                "[Reason for selling: upgraded|Got a new one as a gift|No longer needed].",
                "[Cash or EFT on collection|Cash or instant EFT when you fetch it|SnapScan accepted].",
                "[Smoke-free and pet-free home|From a non-smoking home|No pets in the house]."]
        return title, pick(rng, pool, rng.randint(3, 5))
    make.items = SALE_ITEMS[sub]  # type: ignore[attr-defined]
    return make


def _wanted(rng, place):
    sub = rng.choice(list(SALE_ITEMS))
    item = rng.choice(SALE_ITEMS[sub])[0]
    title = rng.choice((f"Wanted: {item}", f"Looking for a {item}", f"WTB {item}",
                        f"{item[0].upper()}{item[1:]} wanted"))
    return title, pick(rng, [
        f"[Looking for|Need|Searching for|Anyone selling] a [second-hand|used|cheap] {item}[ in good condition|"
        "| that works|, any colour].", f"[I am in|Based in|Must be close to] {place}.",
        "[Reasonable price please|Budget is tight|Student budget|Will pay a fair price].",
        "[Can collect this weekend|Can fetch after work|Need it by month end|Urgently needed].",
        "[Send pictures|Message me here|Reply with your price].", f"[For my {rng.choice(('son', 'mother', 'flat'))}|"
        "To replace a broken one|For a new business]."], rng.randint(3, 5))


SHOPS = ("Mama's Kitchen", "Bester Hardware", "Ubuntu Pharmacy", "Kasi Car Wash", "Sunrise Spaza", "Zama Hair Salon",
         "Greenfields Nursery", "Dlamini Tyres", "Corner Bakery", "Lekker Meat Market", "Thuto Crèche", "Umoya Gym")
DATES = ("Monday", "Tuesday", "Friday", "Saturday", "the long weekend", "Heritage Day", "Freedom Day", "Youth Day")


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)}"


def _announcement(rng, place):
    shop = rng.choice(SHOPS)
    kind = rng.randrange(4)
    if kind == 0:
        title = rng.choice((f"{shop} will be closed", f"{shop} closed on {rng.choice(DATES)}",
                            f"Holiday hours at {shop}"))
        pool = [rng.choice((f"Please note that {shop} in {place} will be closed on {rng.choice(DATES)}.",
                            f"Our {place} store closes for {rng.choice(DATES)}, {_date(rng)}.",
                            f"{shop} will be closed for stocktaking on {_date(rng)}.")),
                rng.choice(("Normal trading hours resume the next day.", f"We open again at {rng.randint(7, 9)}:00 "
                            "the following morning.", "Orders placed online still go out.")),
                rng.choice(("We apologise for any inconvenience.", "Sorry for the trouble.",
                            "Thank you for your understanding.")),
                rng.choice(("Staff deserve the rest!", "", f"Emergency line open until {rng.randint(12, 17)}:00."))]
    elif kind == 1:
        street = rng.choice(("Main Road", "Church Street", "Voortrekker Road", "Jan Smuts Avenue", "Mandela Drive"))
        title = rng.choice((f"{shop} has relocated", f"{shop}: new address", f"We moved! {shop}"))
        pool = [rng.choice((f"We have relocated to {rng.randint(2, 300)} {street}, {place}.",
                            f"From {_date(rng)} you will find us at {street} in {place}.",
                            f"{shop} moved a few doors down {street}.")),
                rng.choice(("Same phone line, same friendly staff.", "Bigger shop, more parking.",
                            "Same great prices at the new shop.")),
                rng.choice(("Thank you for your support.", "See you at the new place.", "Come say hello."))]
    elif kind == 2:
        title = rng.choice((f"Grand opening of {shop}", f"{shop} now open in {place}", f"New {shop} branch"))
        pool = [rng.choice((f"Grand opening of our new branch in {place} on {_date(rng)}.",
                            f"{shop} opens its doors in {place} this {rng.choice(('week', 'month', 'Saturday'))}.",
                            f"Our {rng.choice(('second', 'third', 'fourth'))} branch opens at {place} Plaza.")),
                rng.choice(("Specials all week for the first customers.", f"{rng.randint(10, 40)}% off on opening day.",
                            "Free coffee for the first 100 visitors.")),
                rng.choice(("See you there!", "Bring a friend.", "Jumping castle for the kids."))]
    else:
        body = rng.choice(("Ratepayers Association", "Residents Association", "Stokvel", "Burial Society",
                           "Sports Club", "Parents Association"))
        title = rng.choice(("Notice of annual general meeting", f"{place} {body} AGM", f"AGM: {body}"))
        pool = [rng.choice((f"Notice is hereby given of the annual general meeting of the {place} {body}.",
                            f"The {body} of {place} holds its AGM on {_date(rng)}.",
                            f"Members of the {body} are called to the yearly meeting.")),
                rng.choice((f"Venue: community hall, {_date(rng)} at 18:30.", f"Meeting at the library hall at "
                            f"{rng.randint(9, 19)}:00.", f"Venue: {place} civic centre, {_date(rng)}.")),
                rng.choice(("All members are welcome to attend.", "Nominations for the committee close a week before.",
                            "The agenda and financials are on the notice board."))]
    return title, [p for p in pool if p]


def _event(rng, place):
    what = rng.choice(("Jazz in the park", "Farmers market day", "Gospel concert", "Craft beer festival",
                       "Amapiano live show", "Fun run 5 km", "Kids holiday workshop", "Food truck Friday",
                       "Comedy night", "Car boot sale", "Wine tasting evening", "Soccer tournament"))
    venue = rng.choice(("community grounds", "town hall", "rugby club", "botanical gardens", "stadium", "civic centre"))
    title = rng.choice((f"{what} in {place}", f"{what}: {_date(rng)}", what + "!", f"{place} {what.lower()}"))
    pool = [rng.choice((f"Join us for {what.lower()} at the {place} {venue}.", f"{what} returns to {place} on "
                        f"{_date(rng)}.", f"The {venue} in {place} hosts {what.lower()} this {rng.choice(DATES)}.")),
            rng.choice((f"Gates open at {rng.randint(8, 17)}:00.", f"Starts at {rng.randint(9, 19)}:30 sharp.",
                        "Doors open an hour before.")),
            rng.choice(("Tickets available at the door.", "Tickets available online and at the gate.", "Free entry.",
                        f"Early bird tickets until {_date(rng)}.")),
            rng.choice(("Food stalls and a craft market.", "Bring a picnic blanket.", "Braai packs on sale.")),
            rng.choice(("Bring the whole family.", "Strictly 18 and older.", "Kids under 12 free.")),
            rng.choice((f"Live music and DJ {rng.choice(NAMES).capitalize()} all afternoon.",
                        "No cooler boxes allowed.", "Secure parking on site.", "Wheelchair friendly venue."))]
    return title, pick(rng, pool, rng.randint(3, 5))


def _community(rng, place):
    kind = rng.randrange(4)
    if kind == 0:
        pet = rng.choice(("brown Jack Russell", "black Labrador", "grey cat", "white Maltese poodle", "ginger tabby",
                          "young Boerboel", "tricolour Beagle"))
        name = rng.choice(("Bella", "Max", "Shadow", "Coco", "Simba", "Rex", "Lucky"))
        title = rng.choice((f"Lost: {pet} in {place}", f"Missing {pet}", f"Please help find {name}"))
        pool = [rng.choice((f"Our {pet} went missing on {_date(rng)} near the park in {place}.",
                            f"{name}, a {pet}, slipped out of the gate on {rng.choice(DATES)}.",
                            f"Last seen in {place} near the {rng.choice(('school', 'garage', 'clinic'))}.")),
                rng.choice((f"Answers to the name {name}.", f"{name} wears a {rng.choice(COLOURS)} collar.",
                            "Microchipped and very friendly.")),
                rng.choice(("Reward offered.", "The kids are heartbroken.", "Please check your garages.")),
                "Please contact us through the site."]
    elif kind == 1:
        need = rng.choice(("blankets", "tinned food", "school shoes", "sanitary pads", "warm clothes", "books"))
        title = rng.choice((f"Volunteers needed at {place} soup kitchen", f"Help feed {place}",
                            f"Donations of {need} wanted"))
        pool = [rng.choice((f"The {place} soup kitchen needs volunteers on {rng.choice(DATES)} mornings.",
                            f"We feed {rng.randint(50, 400)} people every week in {place}.",
                            f"Our {rng.choice(('church', 'NGO', 'youth group'))} runs a feeding scheme in {place}.")),
                rng.choice((f"Donations of {need} are welcome.", f"We are short of {need} this winter.",
                            f"Drop off {need} at the hall.")),
                rng.choice(("Every little bit helps our community.", "Thank you to all our donors.",
                            "Ubuntu: I am because we are."))]
    elif kind == 2:
        title = rng.choice((f"Neighbourhood watch meeting, {place}", f"{place} safety meeting",
                            f"Join the {place} neighbourhood watch"))
        pool = [rng.choice((f"Residents of {place} are invited to the neighbourhood watch meeting.",
                            f"Break-ins in {place} are up, let us organise patrols.",
                            "New members for the night patrol are needed.")),
                rng.choice((f"Community hall, {_date(rng)} at 19:00.", f"Meet at the {place} police station on "
                            f"{rng.choice(DATES)}.", "Bring a torch and a charged phone.")),
                rng.choice(("The ward councillor will attend.", "SAPS sector manager will speak.",
                            "Tea and rusks served."))]
    else:
        title = rng.choice((f"Blood drive in {place}", f"Donate blood in {place}", "SANBS blood drive this week"))
        pool = [rng.choice((f"Donate blood at the {place} civic centre on {rng.choice(DATES)}.",
                            f"The mobile clinic visits {place} Mall on {_date(rng)}.",
                            f"Give blood at {place} high school from 09:00.")),
                rng.choice(("Bring your ID.", "Eat well before you come.", "First-time donors welcome.")),
                rng.choice(("Every donation saves lives.", "One unit helps three patients.",
                            "Volunteers will be there to help."))]
    return title, pool


SUBS: tuple[Sub, ...] = (
    Sub("Vehicles", "Cars", (45_000, 650_000), _cars, images=(2, 5), weight=3),
    Sub("Vehicles", "Bakkies", (80_000, 750_000), _bakkies, images=(2, 5), weight=1.5),
    Sub("Vehicles", "Motorbikes", (12_000, 220_000), _bikes, images=(1, 4)),
    Sub("Vehicles", "Parts", (150, 12_000), _parts, images=(1, 3)),
    Sub("Real Estate", "Houses for Sale", (450_000, 4_500_000), _house, images=(3, 6), weight=1.5),
    Sub("Real Estate", "Flats to Rent", (3_500, 16_000), _flat, images=(2, 5), weight=1.5),
    Sub("Real Estate", "Rooms to Rent", (1_500, 5_500), _room, images=(1, 3)),
    Sub("Real Estate", "Land", (90_000, 1_800_000), _land, images=(1, 3), weight=0.6),
    *(Sub("Jobs", s, None, _job_maker(s), price_share=0, images=(0, 1), ad_type="Job", weight=0.7)
      for s in dict.fromkeys(s for _, s in JOBS)),
    *(Sub("Services", s, (150, 900), _service_maker(s), price_share=0.5, images=(0, 2), ad_type="Service", weight=0.6)
      for s in SERVICES),
    *(Sub("For Sale", s, (min(i[1] for i in SALE_ITEMS[s]), max(i[2] for i in SALE_ITEMS[s])), _sale_maker(s),
          images=(1, 4), weight=1.2) for s in SALE_ITEMS),
    Sub("For Sale", "Wanted", None, _wanted, price_share=0, images=(0, 0), ad_type="Wanted", weight=0.5),
    Sub("Announcements", "Notices", None, _announcement, price_share=0, images=(0, 1), ad_type="Notice", weight=1.2),
    Sub("Events", "Events", (50, 450), _event, price_share=0.6, images=(0, 2), ad_type="Event", weight=1.5),
    Sub("Community", "Community", None, _community, price_share=0, images=(0, 1), ad_type="Notice", weight=1.2),
)
NEEDS_IMAGES = ("Vehicles", "Real Estate", "For Sale")

# Word-level variety: people word the same things differently, so unrelated ads share few word triples.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "selling": ("selling", "offering", "letting go of"), "good": ("good", "great", "decent", "very good"),
    "condition": ("condition", "shape", "nick"), "price": ("price", "asking price", "amount"),
    "negotiable": ("negotiable", "neg", "open to discussion"), "available": ("available", "on offer", "ready"),
    "perfectly": ("perfectly", "100%", "like new", "well"), "close": ("close", "near", "a short walk"),
    "shops": ("shops", "the mall", "a shopping centre"), "viewing": ("viewing", "viewings", "visits"),
    "appointment": ("appointment", "arrangement", "prior arrangement"), "included": ("included", "incl.", "thrown in"),
    "large": ("large", "big", "spacious"), "quiet": ("quiet", "peaceful", "calm"), "safe": ("safe", "secure"),
    "experienced": ("experienced", "skilled", "reliable", "hard-working"), "please": ("please", "kindly", "pls"),
    "weekends": ("weekends", "Saturdays", "weekends and evenings"), "collection": ("collection", "pick-up", "collect"),
    "also": ("also", "too", "as well"), "very": ("very", "really", "super"), "family": ("family", "household"),
    "new": ("new", "brand-new", "recent"), "small": ("small", "little", "minor"), "all": ("all", "everything"),
    "working": ("working", "functioning", "running"), "serious": ("serious", "genuine", "real"),
    "offers": ("offers", "bids", "proposals"), "month": ("month", "mth", "calendar month"),
    "area": ("area", "suburb", "neighbourhood"), "our": ("our", "the"), "we": ("we", "we"),
    "is": ("is", "is", "is really"), "the": ("the", "the", "the", "this"), "and": ("and", "and", "&", "plus"),
    "with": ("with", "with", "incl."), "for": ("for", "for", "suited for"), "in": ("in", "in", "around"),
    "at": ("at", "at", "near"), "to": ("to", "to"), "a": ("a", "a", "one"), "of": ("of", "of"),
}  # fmt: skip
EXTRAS = (
    "Ask for {name}.", "Moving to {place} at the end of {month}.", "Bought in {year}.", "Pics on request.",
    "Only serious enquiries.", "Can meet at the {place} mall.", "{Name} is available after {hour}:00.",
    "Mornings are best.", "Not in a rush.", "Happy to answer questions here.", "Delivery not included.", "No swaps.",
    "Will consider a swap for a {swap}.", "Located near {place} station.", "Reply here on the site.",
    "Thanks for looking.", "Blessings, {Name}.", "Weekdays after {hour}:00 only.", "Genuine reason for the ad.",
    "{Name} from {place}.", "Photos are recent.", "More info on request.", "Ref {ref}.", "Posted {day} {month}.",
)  # fmt: skip


_ALT = re.compile(r"\[([^\[\]]*)\]")


def vary(rng: random.Random, text: str) -> str:
    text = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), text)
    out = []
    for word in text.split(" "):
        core = word.rstrip(".,:;!?")
        options = SYNONYMS.get(core.lower())
        if options and rng.random() < 0.5:
            new = rng.choice(options)
            if core[:1].isupper():
                new = new[:1].upper() + new[1:]
            word = new + word[len(core):]
        out.append(word)
    extras = [rng.choice(EXTRAS).format(
        name=rng.choice(NAMES), Name=rng.choice(NAMES).capitalize(), place=rng.choice(PLACES),
        month=rng.choice(MONTHS), year=rng.randint(2015, 2024), hour=rng.randint(8, 18), day=rng.randint(1, 28),
        swap=rng.choice(("laptop", "bicycle", "TV", "phone")), ref=rng.randint(100, 9999),
    ) for _ in range(rng.choice((0, 1, 1, 2)))]
    return " ".join([*out, *extras])


# --- violations -------------------------------------------------------------------------------------------------------

PROHIBITED = (
    "Selling a 9mm pistol with 50 rounds of ammunition, no licence needed.", "Unlicensed firearm for sale, cash only.",
    "Good quality dagga available, delivery in {place}.", "Genuine rhino horn powder, very rare.",
    "Old ivory carving from an elephant tusk.", "Replica Rolex watches, look 100% real.",
    "Fake ID and fake passport done in two days.", "Dried perlemoen for sale, bulk only.",
    "Pangolin scales for traditional medicine.", "Codeine syrup and mandrax available, discreet.",
    "Also selling a shotgun and a hunting knife.", "Stolen laptops going cheap, no questions.",
    "Selling c0caine and h3roin, DM.", "F1rearm and amm0 available.", "Marijuána cookies and cannabis oil.",
    "Cocaïne of top quality.", "Selling tortoise shell and shark fin.", "Switchblade and knuckle duster set.",
)  # fmt: skip
PROHIBITED_ADS = (  # (title, the item in a sentence): whole ads selling something prohibited
    ("[Glock|Beretta|Taurus] pistol [for sale|available|, serious buyers]", "[a Glock 19|a 9mm|a Beretta] pistol"),
    ("Rhino horn[, serious buyers| for sale| available]", "[genuine|real|whole] rhino horn"),
    ("[Dagga|Marijuana|Weed] [for sale|available|delivered]", "[top quality|fresh|organic] dagga"),
    ("Replica [designer bags|Rolex watches|sneakers]", "replica [Gucci bags|Rolex watches|Jordans]"),
    ("[Ivory carvings|Ivory tusk|Carved ivory]", "elephant ivory [carvings|bangles|tusks]"),
    ("[Shotgun|Hunting rifle|Rifle] for sale", "a [pump-action shotgun|.22 rifle|.308 hunting rifle]"),
    ("[Mandrax|Tik|Ecstasy pills] [available|for sale]", "[mandrax|tik|ecstasy] [tablets|by the gram|in bulk]"),
    ("[Fake passports|Fake ID|Drivers licences] [done fast|available]", "a fake [passport|ID|document]"),
)  # fmt: skip
PROHIBITED_LINES = (
    "[Selling|Got|Have] {item} [for sale|available now|in stock].", "[No paperwork needed|No licence needed|"
    "No questions asked].", "[Discreet meeting in {place}|Delivery in {place} and surrounds|Collect in {place}].",
    "[Cash only|Bulk discount|Price per unit].", "[Serious buyers only|Limited stock|Genuine stuff].",
)
OFFENSIVE = (
    "Time wasters and idiots will be ignored.", "Don't waste my time, you bloody morons.", "No bullshit offers.",
    "Voetsek to the scammers.", "Sh1t offers will be ignored.", "Lowballers are a bunch of @ssholes.",
    "If you can't read the price you're a retard.", "Stop sending me crap offers, f*ck off.",
    "Serious buyers only, the rest of you can go to hell, bitches.", "Don't be a dickhead and haggle.",
    "Any more stupid questions and I'll call you a moron.", "Bl00dy wankers keep asking the same thing.",
)  # fmt: skip
SCAM = (
    "I am currently overseas; the {thing} will be delivered by a courier once payment is made.",
    "Payment via Western Union only.", "Send deposit first to secure the {thing}, no viewing.",
    "Accepting Bitcoin and USDT only.", "Buy me a Google Play gift card and I will send the {thing}.",
    "Urgent! Pay now via e-wallet and collect today.", "Keys will be couriered after your EFT.",
    "I'm overseas for work, send the deposit and I will post the keys.",
    "Pay the R350 registration fee to start working from home.", "A R500 training fee secures your place.",
    "Pay before viewing, many people interested.", "Pay a small clearance fee and customs fee to release it.",
    "Hurry, first come first served, payment upfront via cash send.", "Paypal friends and family only.",
)  # fmt: skip
SCAM_JOBS = ("Earn R5 000 a week from home. Pay the R350 registration fee to start.",
             "Data capturers needed urgently, pay a R500 training fee upfront.")
PHONES = ("082 555 1234", "0715551234", "+27 82 555 1234", "083-555-9876", "(011) 555 4321", "+27 (0)61 555 0000",
          "27 72 555 3344", "+44 20 7946 0958", "060 555 7788", "0027 83 555 1212")
CONTACTS = (
    "Call or WhatsApp {phone}.", "SMS {phone} for more pictures.", "Email me at {name}@gmail.com.",
    "More photos on www.{name}motors.co.za.", "Phone {phone} after 17:00.", "See https://{name}-deals.com/ad",
    "WhatsApp me for the price.", "Contact {name}.{surname}@outlook.com or {phone}.", "Visit {name}shop.co.za.",
    "Telegram: @{name}sells", "Whatsapp only: {phone}", "wa.me/27825551234",
)  # fmt: skip
SHORT_TITLES = ("Car", "Room", "TV", "Sale!", "Bakkie", "House", "Fridge", "For sale", "Cheap")
SHORT_DESCRIPTIONS = ("Call me.", "Good condition.", "Inbox for price.", "Still available.", "Neat.", "As is.")
REPOST_LINES = ("Still available.", "Price reduced!", "Reposted.", "Back on the market.", "Buyer fell through.",
                "Last chance.", "New pictures added.")


@dataclass
class Ad:
    ad_id: str
    title: str
    description: str
    category: str
    subcategory: str
    ad_type: str
    location: str
    price_minor: int | None
    currency: str
    advertiser_id: str
    images: list[dict[str, Any]]
    labels: set[str] = field(default_factory=set)

    def json(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "labels"}
        d["labels"] = sorted(self.labels)
        return d


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = 0
        self.advertisers = [f"ADV-{i:05d}" for i in range(1, 100_000)]

    def image(self, small: bool = False) -> dict[str, Any]:
        rng = self.rng
        w, h = rng.choice(((1600, 1200), (1280, 960), (1024, 768), (960, 1280), (1080, 1440), (4000, 3000),
                           (800, 600), (1200, 1200)))
        if small:
            w, h = rng.choice(((160, 120), (240, 180), (300, 200), (200, 300), (120, 90)))
        return {"sha256": f"{rng.getrandbits(256):064x}", "width": w, "height": h,
                "phash": f"{rng.getrandbits(64) | (1 << rng.randrange(64)):016x}"}

    def clean(self, advertisers: int, sub: Sub | None = None) -> Ad:
        rng = self.rng
        sub = sub or rng.choices(SUBS, weights=[s.weight for s in SUBS])[0]
        place = rng.choice(PLACES)
        title, sentences = sub.make(rng, place)
        price = None
        if sub.price and rng.random() < sub.price_share:
            price = rand_money(rng, *sub.price)
            items = getattr(sub.make, "items", None)
            if items:  # For Sale: the item's own range
                item = next((i for i in items if i[0].lower() in (title + " " + " ".join(sentences)).lower()), None)
                if item:
                    price = rand_money(rng, item[1], item[2])
        lo, hi = sub.images
        self.n += 1
        return Ad(f"AD-{100000 + self.n}", title, vary(rng, " ".join(sentences)), sub.category, sub.name,
                  sub.ad_type, place, price, "ZAR", self.advertisers[rng.randrange(advertisers)],
                  [self.image() for _ in range(rng.randint(lo, hi))])

    def copy(self, ad: Ad, advertiser: str) -> Ad:
        self.n += 1
        return Ad(f"AD-{100000 + self.n}", ad.title, ad.description, ad.category, ad.subcategory, ad.ad_type,
                  ad.location, ad.price_minor, ad.currency, advertiser, [dict(i) for i in ad.images])

    def other_advertiser(self, ad: Ad, advertisers: int) -> str:
        while True:
            adv = self.advertisers[self.rng.randrange(advertisers)]
            if adv != ad.advertiser_id:
                return adv

    def insert(self, ad: Ad, sentence: str, title: bool = False) -> None:
        sentence = sentence.format(place=ad.location, thing=ad.subcategory.lower().rstrip("s") or "item",
                                   phone=self.rng.choice(PHONES), name=self.rng.choice(NAMES),
                                   surname=self.rng.choice(NAMES))
        if title:
            ad.title = f"{ad.title} - {sentence.rstrip('.')}"
            return
        parts = ad.description.split(". ")
        at = self.rng.randint(0, len(parts))
        ad.description = ". ".join([*parts[:at], sentence.rstrip("."), *parts[at:]]).rstrip(".") + "."


def generate(count: int = 2000, seed: int = 2025, clean_share: float = 0.66) -> list[dict[str, Any]]:
    """``count`` ads in a shuffled order, with their labels."""
    g = Generator(seed)
    rng = g.rng
    advertisers = max(50, count // 4)
    ads: list[Ad] = [g.clean(advertisers) for _ in range(int(count * clean_share))]
    rules = ("prohibited_item", "offensive_language", "scam_pattern", "too_good_price", "price_out_of_range",
             "contact_in_text", "duplicate", "near_duplicate", "missing_details", "category_mismatch",
             "small_images", "shouting")
    while len(ads) < count:
        rule = rules[len(ads) % len(rules)]
        ads += violate(g, rule, ads, advertisers)
    ads = ads[:count]
    rng.shuffle(ads)
    return [a.json() for a in ads]


def _priced(g: Generator, advertisers: int) -> Ad:
    while True:
        ad = g.clean(advertisers)
        if ad.price_minor and ad.category not in ("Events", "Services"):
            return ad


def violate(g: Generator, rule: str, ads: list[Ad], advertisers: int) -> list[Ad]:
    """New ads breaking ``rule`` (sometimes another rule too); may also label an existing ad (duplicates)."""
    rng = g.rng
    if rule == "prohibited_item":
        if rng.random() < 0.3:
            title, item = rng.choice(PROHIBITED_ADS)
            ad = g.clean(advertisers, next(s for s in SUBS if s.name == "Electronics"))
            lines = [PROHIBITED_LINES[0], *pick(rng, PROHIBITED_LINES[1:], rng.randint(1, 3))]
            ad.title = vary(rng, title)
            ad.description = vary(rng, " ".join(lines).format(item=item, place=ad.location))
            ad.price_minor = rand_money(rng, 500, 20000)
        else:
            ad = g.clean(advertisers, rng.choice([s for s in SUBS if s.category in ("For Sale", "Vehicles")]))
            g.insert(ad, rng.choice(PROHIBITED))
        ad.labels.add(rule)
        return [ad]
    if rule == "offensive_language":
        ad = g.clean(advertisers)
        g.insert(ad, rng.choice(OFFENSIVE))
        ad.labels.add(rule)
        return [ad]
    if rule == "scam_pattern":
        if rng.random() < 0.2:
            ad = g.clean(advertisers, rng.choice([s for s in SUBS if s.category == "Jobs"]))
            g.insert(ad, rng.choice(SCAM_JOBS))
        else:
            ad = _priced(g, advertisers)
            g.insert(ad, rng.choice(SCAM))
            if rng.random() < 0.4:  # scams often bait with a price far too low
                ad.price_minor = max(100, ad.price_minor // rng.randint(15, 60) // 100 * 100)
                ad.labels.add("too_good_price")
            if rng.random() < 0.3:
                g.insert(ad, rng.choice(CONTACTS))
                ad.labels.add("contact_in_text")
        ad.labels.add(rule)
        return [ad]
    if rule == "too_good_price":
        ad = _priced(g, advertisers)
        ad.price_minor = max(100, ad.price_minor // rng.randint(12, 80) // 100 * 100)
        ad.labels.add(rule)
        return [ad]
    if rule == "price_out_of_range":
        ad = _priced(g, advertisers)
        ad.price_minor = ad.price_minor * rng.choice((100, 100, 50, 30))  # rands typed into the cents field
        ad.labels.add(rule)
        return [ad]
    if rule == "contact_in_text":
        ad = g.clean(advertisers)
        g.insert(ad, rng.choice(CONTACTS), title=rng.random() < 0.2)
        ad.labels.add(rule)
        return [ad]
    if rule in ("duplicate", "near_duplicate"):
        original = rng.choice(ads)
        while original.labels or len(original.description.split()) < 12:
            original = rng.choice(ads)
        adv = original.advertiser_id if rng.random() < 0.4 else g.other_advertiser(original, advertisers)
        ad = g.copy(original, adv)
        if rule == "duplicate":
            style = rng.randrange(3)
            if style == 1:  # same text, different case and spacing, new pictures
                ad.title, ad.description = ad.title.upper() if rng.random() < 0.2 else ad.title.lower(), \
                    "  ".join(ad.description.split(" "))
                ad.images = [g.image() for _ in ad.images]
                if ad.title.isupper() and sum(c.isalpha() for c in ad.title) >= 10:
                    ad.labels.add("shouting")
            elif style == 2 and original.images:  # stolen pictures under a new text
                fresh = g.clean(advertisers, next(s for s in SUBS if s.name == original.subcategory))
                ad.title, ad.description = fresh.title, fresh.description
        else:
            style = rng.randrange(3)
            if style < 2:  # re-posted with a few words changed, a line added or dropped
                words = ad.description.split(" ")
                for _ in range(rng.randint(1, 3)):
                    i = rng.randrange(len(words))
                    core = words[i].rstrip(".,:;!?")
                    options = [w for w in SYNONYMS.get(core.lower(), ()) if w != core.lower()]
                    new = (str(rng.randint(2, 99)) if core[:1].isdigit() else rng.choice(options) if options
                           else rng.choice(("very", "really", "still", "now")) + " " + core)
                    words[i] = new + words[i][len(core):]
                ad.description = " ".join(words)
                if rng.random() < 0.4:
                    sentences = ad.description.split(". ")
                    if len(sentences) >= 4 and rng.random() < 0.5:
                        del sentences[rng.randrange(len(sentences))]
                    else:
                        sentences.insert(rng.randint(0, len(sentences)), rng.choice(REPOST_LINES).rstrip("."))
                    ad.description = ". ".join(sentences).rstrip(".") + "."
                ad.images = [g.image() for _ in ad.images]
                if rng.random() < 0.5:
                    ad.title = ad.title + rng.choice((" (reduced)", " - must go", ", neat"))
            if style == 2 or not original.images:  # the same pictures re-saved: new files, nearly equal hashes
                if not original.images:
                    original.images = [g.image()]
                fresh = g.clean(advertisers, next(s for s in SUBS if s.name == original.subcategory))
                if style == 2:
                    ad.title, ad.description = fresh.title, fresh.description
                ad.images = []
                for img in original.images:
                    bits = int(img["phash"], 16)
                    for b in rng.sample(range(64), rng.randint(1, 3)):
                        bits ^= 1 << b
                    ad.images.append({**g.image(), "width": img["width"], "height": img["height"],
                                      "phash": f"{bits:016x}"})
        ad.labels.add(rule)
        original.labels.add(rule)
        return [ad]
    if rule == "missing_details":
        ad = g.clean(advertisers, rng.choice([s for s in SUBS if s.category in NEEDS_IMAGES and s.ad_type == "Offer"]))
        what = rng.randrange(4)
        if what == 0:
            ad.title = rng.choice(SHORT_TITLES)
            if ad.title == "Sale!":
                ad.title = "Sale"
        elif what == 1:
            ad.description = rng.choice(SHORT_DESCRIPTIONS)
        elif what == 2:
            ad.price_minor = None
        else:
            ad.images = []
        ad.labels.add(rule)
        return [ad]
    if rule == "category_mismatch":
        source = rng.choice([s for s in SUBS if s.name in ("Cars", "Bakkies", "Houses for Sale", "Flats to Rent")]
                            + [s for s in SUBS if s.category in ("Jobs", "Events")])
        ad = g.clean(advertisers, source)
        ad.category = rng.choice([c for c in ("Jobs", "Services", "Announcements", "Events", "Community")
                                  if c != source.category])
        ad.subcategory, ad.price_minor = "", None
        ad.labels.add(rule)
        return [ad]
    if rule == "small_images":
        ad = g.clean(advertisers, rng.choice([s for s in SUBS if s.category in NEEDS_IMAGES and s.images[0]]))
        ad.images[rng.randrange(len(ad.images))] = g.image(small=True)
        ad.labels.add(rule)
        return [ad]
    if rule == "shouting":
        ad = g.clean(advertisers)
        style = rng.randrange(3)
        if style == 0:
            ad.title = ad.title.upper() + "!!!"
            if sum(c.isalpha() for c in ad.title) < 10:
                ad.title = "BARGAIN OF THE YEAR " + ad.title
        elif style == 1:
            ad.description = ad.description.upper()
        else:
            ad.description = ad.description.replace(".", "!!", 3) + " Don't miss out!!!"
        ad.labels.add(rule)
        return [ad]
    raise ValueError(rule)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    ads = generate(args.count, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as f:
        for ad in ads:
            f.write(json.dumps(ad, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts: dict[str, int] = {}
    for ad in ads:
        for label in ad["labels"] or ["(clean)"]:
            counts[label] = counts.get(label, 0) + 1
    print(f"{len(ads)} ads, {args.out.stat().st_size / 1e6:.2f} MB -> {args.out}")
    for label, n in sorted(counts.items()):
        print(f"  {label:20} {n}")


if __name__ == "__main__":
    main()
