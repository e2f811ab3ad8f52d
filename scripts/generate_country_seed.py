"""Generate the country rows of the entity seeds.

Every ISO 3166-1 country and territory known to pycountry becomes one row with
``entity_type = country`` in ``dbt_project/seeds/entities.csv``, and its aliases
go to ``dbt_project/seeds/entity_aliases.csv``. ISO's names are combined with the
curated table below: the common English short name ("South Korea", not "Korea,
Republic of"), demonyms, capitals used for the government ("Beijing said"),
abbreviations, former and native names, and the Wikidata id where it is certain.

Only country rows and the English aliases this script generates (``source =
pycountry``) are rewritten; every other row (other entities, aliases typed by a
person, other languages' rows from scripts/generate_multilingual_aliases.py) is
kept as it is. Both files are written back sorted, so running the script twice
gives byte-identical files. The conventions are in seeds/README.md.

Usage::

    python scripts/generate_country_seed.py [--seeds-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pycountry

ENTITY_FIELDS = [
    "entity_id",
    "name",
    "entity_type",
    "country_code",
    "wikidata_id",
    "role",
    "description",
]
ALIAS_FIELDS = [
    "entity_id", "alias", "alias_kind", "case_rule", "language", "stands_alone", "source",
]  # fmt: skip
ALIAS_KINDS = [
    "name", "short_name", "abbreviation", "demonym", "capital",
    "native_name", "former_name", "variant", "surname", "compound_form",
]  # fmt: skip
# Languages in the order their rows follow each other within an entity (English first).
LANGUAGES = ["en", "zh", "zh-Hant", "ja", "ko", "es", "fr", "ru", "vi", "id"]
# Where an alias row came from (seeds/README.md): this script, Babel's CLDR names, a person.
SOURCES = ["pycountry", "cldr", "typed"]
DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Curated:
    """Hand-curated facts about one country. Multi-valued fields are "; "-separated.

    ``name`` replaces ISO's short name; ``entity_id`` pins the id (default: the
    slug of the name), so a country can be renamed without changing its id.
    ``abbr`` abbreviations match when their first letter is upper case;
    ``abbr_exact`` ones (two letters, or also an English word) only as written.
    ``drop`` lists ISO names that must not become aliases because they are
    ambiguous. Leave out any alias that could mean two entities.
    """

    name: str = ""
    entity_id: str = ""
    official: str = ""
    short: str = ""
    abbr: str = ""
    abbr_exact: str = ""
    demonyms: str = ""
    capitals: str = ""
    native: str = ""
    former: str = ""
    variants: str = ""
    drop: str = ""
    wikidata: str = ""


C = Curated
CURATED: dict[str, Curated] = {
    "AE": C(abbr="UAE", demonyms="Emirati", capitals="Abu Dhabi", wikidata="Q878"),
    "AF": C(demonyms="Afghan", capitals="Kabul", wikidata="Q889"),
    "AL": C(demonyms="Albanian", capitals="Tirana"),
    "AM": C(demonyms="Armenian", capitals="Yerevan"),
    "AO": C(demonyms="Angolan", capitals="Luanda"),
    "AR": C(demonyms="Argentine; Argentinian", capitals="Buenos Aires", wikidata="Q414"),
    "AT": C(demonyms="Austrian", wikidata="Q40"),
    "AU": C(demonyms="Australian", capitals="Canberra", wikidata="Q408"),
    "AX": C(variants="Aland Islands"),
    "AZ": C(demonyms="Azerbaijani", capitals="Baku"),
    "BA": C(short="Bosnia", demonyms="Bosnian", capitals="Sarajevo"),
    "BB": C(demonyms="Barbadian"),
    "BD": C(demonyms="Bangladeshi", capitals="Dhaka", wikidata="Q902"),
    "BE": C(demonyms="Belgian", wikidata="Q31"),
    "BF": C(demonyms="Burkinabe", capitals="Ouagadougou"),
    "BG": C(demonyms="Bulgarian"),
    "BH": C(demonyms="Bahraini", capitals="Manama", wikidata="Q398"),
    "BI": C(demonyms="Burundian"),
    "BJ": C(demonyms="Beninese"),
    "BM": C(demonyms="Bermudian"),
    "BN": C(name="Brunei", demonyms="Bruneian", capitals="Bandar Seri Begawan", wikidata="Q921"),
    "BO": C(name="Bolivia", demonyms="Bolivian"),
    "BQ": C(variants="Caribbean Netherlands"),  # and "Bonaire, St Eustatius and Saba": press_forms
    "BR": C(demonyms="Brazilian", capitals="Brasília; Brasilia", wikidata="Q155"),
    "BS": C(demonyms="Bahamian"),
    "BT": C(demonyms="Bhutanese", capitals="Thimphu"),
    "BY": C(demonyms="Belarusian", capitals="Minsk", wikidata="Q184"),
    "BZ": C(demonyms="Belizean"),
    "CA": C(demonyms="Canadian", capitals="Ottawa", wikidata="Q16"),
    "CC": C(name="Cocos (Keeling) Islands", short="Cocos Islands"),
    "CD": C(
        name="Democratic Republic of the Congo",
        short="DR Congo; Democratic Republic of Congo; Congo-Kinshasa",
        abbr="DRC",
        capitals="Kinshasa",
    ),
    "CG": C(
        name="Republic of the Congo",
        short="Republic of Congo; Congo-Brazzaville; Congo Republic",
        capitals="Brazzaville",
        drop="Congo",
    ),
    "CH": C(demonyms="Swiss", wikidata="Q39"),
    "CI": C(name="Ivory Coast", demonyms="Ivorian", variants="Cote d'Ivoire"),
    "CL": C(demonyms="Chilean", wikidata="Q298"),
    "CM": C(demonyms="Cameroonian", capitals="Yaoundé; Yaounde"),
    "CN": C(
        abbr="PRC",
        demonyms="Chinese",
        capitals="Beijing",
        variants="Mainland China",
        wikidata="Q148",
    ),
    "CO": C(demonyms="Colombian", capitals="Bogotá; Bogota", wikidata="Q739"),
    "CR": C(demonyms="Costa Rican"),
    "CU": C(demonyms="Cuban", capitals="Havana", wikidata="Q241"),
    "CV": C(name="Cape Verde", demonyms="Cape Verdean"),
    "CW": C(variants="Curacao"),
    "CY": C(demonyms="Cypriot", capitals="Nicosia"),
    "CZ": C(demonyms="Czech", capitals="Prague", wikidata="Q213"),
    "DE": C(demonyms="German", capitals="Berlin", wikidata="Q183"),
    "DJ": C(demonyms="Djiboutian"),
    "DK": C(demonyms="Danish", capitals="Copenhagen", wikidata="Q35"),
    "DO": C(capitals="Santo Domingo"),
    "DZ": C(demonyms="Algerian", capitals="Algiers"),
    "EC": C(demonyms="Ecuadorian; Ecuadorean", capitals="Quito"),
    "EE": C(demonyms="Estonian", capitals="Tallinn"),
    "EG": C(demonyms="Egyptian", capitals="Cairo", wikidata="Q79"),
    "ER": C(demonyms="Eritrean", capitals="Asmara"),
    "ES": C(demonyms="Spanish", capitals="Madrid", wikidata="Q29"),
    "ET": C(demonyms="Ethiopian", wikidata="Q115"),
    "FI": C(demonyms="Finnish", capitals="Helsinki", wikidata="Q33"),
    "FJ": C(demonyms="Fijian", capitals="Suva"),
    "FK": C(name="Falkland Islands", short="Falklands"),
    "FM": C(name="Federated States of Micronesia"),
    "FO": C(short="Faroes", demonyms="Faroese"),
    "FR": C(demonyms="French", capitals="Paris", wikidata="Q142"),
    "GA": C(demonyms="Gabonese", capitals="Libreville"),
    "GB": C(
        short="Britain; Great Britain",
        abbr_exact="UK; U.K.",
        demonyms="British",
        capitals="London",
        variants="Downing Street",
        wikidata="Q145",
    ),
    "GD": C(demonyms="Grenadian"),
    "GE": C(capitals="Tbilisi", wikidata="Q230"),  # "Georgian" also means the era and the US state
    "GH": C(demonyms="Ghanaian", capitals="Accra"),
    "GI": C(demonyms="Gibraltarian"),
    "GL": C(demonyms="Greenlandic", capitals="Nuuk"),
    "GM": C(demonyms="Gambian", capitals="Banjul"),
    "GN": C(capitals="Conakry"),  # "Guinean" is shared by three countries
    "GQ": C(demonyms="Equatoguinean"),
    "GR": C(demonyms="Greek", capitals="Athens", wikidata="Q41"),
    "GT": C(demonyms="Guatemalan", capitals="Guatemala City"),
    "GU": C(demonyms="Guamanian", wikidata="Q16635"),
    "GW": C(demonyms="Bissau-Guinean"),
    "GY": C(demonyms="Guyanese"),
    "HK": C(demonyms="Hongkonger", wikidata="Q8646"),
    "HN": C(demonyms="Honduran", capitals="Tegucigalpa"),
    "HR": C(demonyms="Croatian", capitals="Zagreb"),
    "HT": C(demonyms="Haitian", capitals="Port-au-Prince"),
    "HU": C(demonyms="Hungarian", capitals="Budapest", wikidata="Q28"),
    "ID": C(demonyms="Indonesian", capitals="Jakarta", wikidata="Q252"),
    "IE": C(short="Republic of Ireland", demonyms="Irish", capitals="Dublin", wikidata="Q27"),
    "IL": C(demonyms="Israeli", wikidata="Q801"),
    "IM": C(demonyms="Manx"),
    "IN": C(demonyms="Indian", capitals="New Delhi", native="Bharat", wikidata="Q668"),
    "IO": C(short="Chagos Islands; Chagos Archipelago"),
    "IQ": C(demonyms="Iraqi", capitals="Baghdad", wikidata="Q796"),
    "IR": C(demonyms="Iranian", capitals="Tehran", wikidata="Q794"),
    "IS": C(demonyms="Icelandic", capitals="Reykjavik"),
    "IT": C(demonyms="Italian", wikidata="Q38"),
    "JM": C(demonyms="Jamaican"),
    "JO": C(demonyms="Jordanian", capitals="Amman", wikidata="Q810"),
    "JP": C(demonyms="Japanese", capitals="Tokyo", wikidata="Q17"),
    "KE": C(demonyms="Kenyan", capitals="Nairobi", wikidata="Q114"),
    "KG": C(demonyms="Kyrgyz", capitals="Bishkek"),
    "KH": C(demonyms="Cambodian", capitals="Phnom Penh", wikidata="Q424"),
    "KM": C(demonyms="Comorian"),
    "KP": C(
        name="North Korea",
        abbr="DPRK",
        demonyms="North Korean",
        capitals="Pyongyang",
        wikidata="Q423",
    ),
    "KR": C(
        name="South Korea",
        abbr_exact="ROK",
        demonyms="South Korean",
        capitals="Seoul",
        wikidata="Q884",
    ),
    "KW": C(demonyms="Kuwaiti", wikidata="Q817"),
    "KZ": C(demonyms="Kazakh; Kazakhstani", capitals="Astana", wikidata="Q232"),
    "LA": C(
        name="Laos",
        demonyms="Lao; Laotian",
        capitals="Vientiane",
        variants="Lao PDR",
        wikidata="Q819",
    ),
    "LB": C(demonyms="Lebanese", capitals="Beirut", wikidata="Q822"),
    "LC": C(demonyms="Saint Lucian"),
    "LK": C(demonyms="Sri Lankan", capitals="Colombo", wikidata="Q854"),
    "LR": C(demonyms="Liberian", capitals="Monrovia"),
    "LT": C(demonyms="Lithuanian", capitals="Vilnius"),
    "LV": C(demonyms="Latvian", capitals="Riga"),
    "LY": C(demonyms="Libyan"),
    "MA": C(demonyms="Moroccan", capitals="Rabat"),
    "MC": C(demonyms="Monegasque"),
    "MD": C(name="Moldova", demonyms="Moldovan", capitals="Chisinau; Chișinău"),
    "ME": C(demonyms="Montenegrin", capitals="Podgorica"),
    "MF": C(name="Saint Martin"),
    "MG": C(demonyms="Malagasy", capitals="Antananarivo"),
    "MH": C(demonyms="Marshallese"),
    "MK": C(demonyms="North Macedonian", capitals="Skopje"),
    "ML": C(demonyms="Malian", capitals="Bamako"),
    "MM": C(
        demonyms="Burmese",
        capitals="Naypyidaw; Naypyitaw; Nay Pyi Taw",
        former="Burma",
        wikidata="Q836",
    ),
    "MN": C(demonyms="Mongolian", capitals="Ulaanbaatar; Ulan Bator", wikidata="Q711"),
    "MO": C(name="Macau", demonyms="Macanese", wikidata="Q14773"),
    "MP": C(short="Northern Marianas"),
    "MR": C(demonyms="Mauritanian", capitals="Nouakchott"),
    "MT": C(demonyms="Maltese", capitals="Valletta"),
    "MU": C(demonyms="Mauritian"),
    "MV": C(demonyms="Maldivian"),
    "MW": C(demonyms="Malawian", capitals="Lilongwe"),
    "MX": C(demonyms="Mexican", capitals="Mexico City", wikidata="Q96"),
    "MY": C(demonyms="Malaysian", capitals="Kuala Lumpur; Putrajaya", wikidata="Q833"),
    "MZ": C(demonyms="Mozambican", capitals="Maputo"),
    "NA": C(demonyms="Namibian", capitals="Windhoek"),
    "NE": C(demonyms="Nigerien", capitals="Niamey"),
    "NG": C(demonyms="Nigerian", capitals="Abuja", wikidata="Q1033"),
    "NI": C(demonyms="Nicaraguan", capitals="Managua"),
    "NL": C(demonyms="Dutch", wikidata="Q55"),
    "NO": C(demonyms="Norwegian", capitals="Oslo", wikidata="Q20"),
    "NP": C(demonyms="Nepali; Nepalese", capitals="Kathmandu", wikidata="Q837"),
    "NR": C(demonyms="Nauruan"),
    "NZ": C(abbr_exact="NZ", capitals="Wellington", wikidata="Q664"),
    "OM": C(demonyms="Omani", capitals="Muscat", wikidata="Q842"),
    "PA": C(demonyms="Panamanian"),
    "PE": C(demonyms="Peruvian", capitals="Lima", wikidata="Q419"),
    "PG": C(demonyms="Papua New Guinean", capitals="Port Moresby"),
    "PH": C(
        demonyms="Filipino; Philippine",
        capitals="Manila",
        variants="Malacañang; Malacanang",
        wikidata="Q928",
    ),
    "PK": C(demonyms="Pakistani", capitals="Islamabad", wikidata="Q843"),
    "PL": C(demonyms="Polish", capitals="Warsaw", wikidata="Q36"),
    "PN": C(name="Pitcairn Islands"),
    "PR": C(demonyms="Puerto Rican"),
    "PS": C(name="Palestine", short="Palestinian territories", demonyms="Palestinian"),
    "PT": C(demonyms="Portuguese", capitals="Lisbon", wikidata="Q45"),
    "PW": C(demonyms="Palauan"),
    "PY": C(demonyms="Paraguayan", capitals="Asunción; Asuncion"),
    "QA": C(demonyms="Qatari", capitals="Doha", wikidata="Q846"),
    "RO": C(demonyms="Romanian", capitals="Bucharest", wikidata="Q218"),
    "RS": C(demonyms="Serbian", capitals="Belgrade"),
    "RU": C(
        name="Russia", demonyms="Russian", capitals="Moscow", variants="Kremlin", wikidata="Q159"
    ),
    "RW": C(demonyms="Rwandan", capitals="Kigali"),
    "SA": C(demonyms="Saudi", capitals="Riyadh", wikidata="Q851"),
    "SC": C(demonyms="Seychellois"),
    "SD": C(demonyms="Sudanese", capitals="Khartoum"),
    "SE": C(demonyms="Swedish", capitals="Stockholm", wikidata="Q34"),
    "SG": C(demonyms="Singaporean", wikidata="Q334"),
    "SH": C(short="Saint Helena"),
    "SI": C(demonyms="Slovenian; Slovene", capitals="Ljubljana"),
    "SJ": C(short="Svalbard"),
    "SK": C(demonyms="Slovak", capitals="Bratislava"),
    "SL": C(demonyms="Sierra Leonean", capitals="Freetown"),
    "SN": C(demonyms="Senegalese", capitals="Dakar"),
    "SO": C(demonyms="Somali", capitals="Mogadishu"),
    "SR": C(demonyms="Surinamese", capitals="Paramaribo"),
    "SS": C(demonyms="South Sudanese", capitals="Juba"),
    "ST": C(name="São Tomé and Príncipe"),
    "SV": C(demonyms="Salvadoran", capitals="San Salvador"),
    "SX": C(name="Sint Maarten"),
    "SY": C(name="Syria", demonyms="Syrian", capitals="Damascus", wikidata="Q858"),
    "SZ": C(former="Swaziland"),
    "TD": C(demonyms="Chadian", capitals="N'Djamena"),
    "TG": C(demonyms="Togolese", capitals="Lomé"),
    "TH": C(demonyms="Thai", capitals="Bangkok", wikidata="Q869"),
    "TJ": C(demonyms="Tajik", capitals="Dushanbe"),
    "TL": C(
        short="East Timor", demonyms="Timorese; East Timorese", capitals="Dili", wikidata="Q574"
    ),
    "TM": C(demonyms="Turkmen", capitals="Ashgabat"),
    "TN": C(demonyms="Tunisian", capitals="Tunis"),
    "TO": C(demonyms="Tongan"),
    "TR": C(
        name="Turkey", demonyms="Turkish", capitals="Ankara", variants="Turkiye", wikidata="Q43"
    ),
    "TT": C(demonyms="Trinidadian"),
    "TV": C(demonyms="Tuvaluan"),
    "TW": C(
        name="Taiwan",
        official="Republic of China",
        abbr_exact="ROC",
        demonyms="Taiwanese",
        capitals="Taipei",
        variants="Chinese Taipei",
        wikidata="Q865",
    ),
    "TZ": C(name="Tanzania", demonyms="Tanzanian", capitals="Dodoma"),
    "UA": C(demonyms="Ukrainian", capitals="Kyiv; Kiev", wikidata="Q212"),
    "UG": C(demonyms="Ugandan", capitals="Kampala"),
    "US": C(
        short="America",
        abbr="USA",
        abbr_exact="US; U.S.; U.S.A.",
        demonyms="American",
        capitals="Washington",
        variants="White House",
        wikidata="Q30",
    ),
    "UY": C(demonyms="Uruguayan", capitals="Montevideo"),
    "UZ": C(demonyms="Uzbek", capitals="Tashkent"),
    "VA": C(name="Vatican City", short="Vatican; Holy See"),
    "VE": C(name="Venezuela", demonyms="Venezuelan", capitals="Caracas", wikidata="Q717"),
    "VG": C(name="British Virgin Islands", abbr_exact="BVI"),
    "VI": C(name="US Virgin Islands", variants="U.S. Virgin Islands"),
    "VN": C(name="Vietnam", demonyms="Vietnamese", capitals="Hanoi", wikidata="Q881"),
    "WS": C(demonyms="Samoan", capitals="Apia"),
    "YE": C(demonyms="Yemeni", capitals="Sanaa; Sana'a", wikidata="Q805"),
    "ZA": C(demonyms="South African", capitals="Pretoria", wikidata="Q258"),
    "ZM": C(demonyms="Zambian", capitals="Lusaka"),
    "ZW": C(demonyms="Zimbabwean", capitals="Harare"),
}


def split(values: str) -> list[str]:
    """Split a "; "-separated curated field into its values."""
    return [value.strip() for value in values.split(";") if value.strip()]


def slugify(text: str) -> str:
    """Lower-case ASCII slug: "Côte d'Ivoire" -> "cote-divoire"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def usable_iso_name(name: str | None) -> str | None:
    """An ISO name fit to be an alias: no inverted "X, Y of" or "(part)" forms."""
    if not name or "," in name or "(" in name:
        return None
    return re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)


def press_forms(candidates: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """How the English press writes the names ISO spells out: "St" for "Saint" and "Sint" ("St
    Kitts and Nevis", "Bonaire, St Eustatius and Saba"; "St." reads as the same words) and "&"
    for "and" ("St. Kitts & Nevis"), as variants."""
    forms = []
    for alias, kind, case_rule in candidates:
        if kind not in ("name", "short_name", "variant"):
            continue
        saint = re.sub(r"\b(?:Saint|Sint) ", "St ", alias)
        for form in {saint, alias.replace(" and ", " & "), saint.replace(" and ", " & ")}:
            if form != alias:
                forms.append((form, "variant", case_rule))
    return forms


def country_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Build the entity and alias rows of every ISO 3166-1 country."""
    entities: list[dict[str, str]] = []
    aliases: list[dict[str, str]] = []
    for country in pycountry.countries:
        curated = CURATED.get(country.alpha_2, Curated())
        iso_official = usable_iso_name(getattr(country, "official_name", None))
        name = curated.name or getattr(country, "common_name", None) or country.name
        entity_id = curated.entity_id or slugify(name)
        official = curated.official or iso_official or ""
        description = f"Official name: {official}." if official and official != name else ""
        entities.append(
            {
                "entity_id": entity_id,
                "name": name,
                "entity_type": "country",
                "country_code": country.alpha_2,
                "wikidata_id": curated.wikidata,
                "role": "",
                "description": description,
            }
        )
        iso_names = [
            usable_iso_name(country.name),
            iso_official,
            getattr(country, "common_name", None),
        ]
        candidates: list[tuple[str, str, str]] = [(name, "name", "capitalized")]
        candidates += [(alias, "name", "capitalized") for alias in [official, *iso_names] if alias]
        for field, kind, case_rule in [
            (curated.short, "short_name", "capitalized"),
            (curated.abbr, "abbreviation", "capitalized"),
            (curated.abbr_exact, "abbreviation", "exact"),
            (curated.demonyms, "demonym", "capitalized"),
            (curated.capitals, "capital", "capitalized"),
            (curated.native, "native_name", "capitalized"),
            (curated.former, "former_name", "capitalized"),
            (curated.variants, "variant", "capitalized"),
        ]:
            candidates += [(alias, kind, case_rule) for alias in split(field)]
        candidates += press_forms(candidates)
        dropped = set(split(curated.drop))
        seen: set[str] = set()
        for alias, kind, case_rule in candidates:
            if alias in seen or alias in dropped:
                continue
            seen.add(alias)
            aliases.append(
                {
                    "entity_id": entity_id,
                    "alias": alias,
                    "alias_kind": kind,
                    "case_rule": case_rule,
                    "language": "en",
                    "stands_alone": "false",
                    "source": "pycountry",
                }
            )
    ids = [row["entity_id"] for row in entities]
    if len(ids) != len(set(ids)):
        raise ValueError("two countries have the same entity_id; set entity_id in CURATED")
    return entities, aliases


def read_csv(path: Path, fields: list[str]) -> list[dict[str, str]]:
    """Read a seed file (missing file: no rows), checking its header."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != fields:
            raise ValueError(f"{path}: header is {reader.fieldnames}, expected {fields}")
        return list(reader)


def write_csv(path: Path, fields: list[str], rows: Iterable[dict[str, str]]) -> None:
    """Write a seed file: UTF-8, "\\n" line ends, quoting only where needed."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def sort_aliases(aliases: list[dict[str, str]], names: dict[str, str]) -> list[dict[str, str]]:
    """Group aliases by entity, then by language (English first): its name first, then by
    kind (README order), then by text."""

    def key(row: dict[str, str]) -> tuple[str, int, bool, int, str, str]:
        kind = row["alias_kind"]
        rank = ALIAS_KINDS.index(kind) if kind in ALIAS_KINDS else len(ALIAS_KINDS)
        language = row.get("language") or "en"
        language_rank = LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)
        is_not_name = row["alias"] != names.get(row["entity_id"])
        return (row["entity_id"], language_rank, is_not_name, rank, row["alias"], row["case_rule"])

    return sorted(aliases, key=key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds-dir", type=Path, default=DEFAULT_SEEDS_DIR)
    args = parser.parse_args(argv)
    entities_path = args.seeds_dir / "entities.csv"
    aliases_path = args.seeds_dir / "entity_aliases.csv"

    new_entities, new_aliases = country_rows()
    new_ids = {row["entity_id"] for row in new_entities}
    old_entities = read_csv(entities_path, ENTITY_FIELDS)
    old_country_ids = {row["entity_id"] for row in old_entities if row["entity_type"] == "country"}
    kept_entities = [row for row in old_entities if row["entity_type"] != "country"]
    clashes = sorted(new_ids & {row["entity_id"] for row in kept_entities})
    if clashes:
        raise ValueError(f"non-country entities use country ids: {clashes}")
    gone_ids = old_country_ids - new_ids
    kept_aliases = [
        row
        for row in read_csv(aliases_path, ALIAS_FIELDS)
        if row["source"] != "pycountry" and row["entity_id"] not in gone_ids
    ]
    # a row a person typed (or another generator wrote) wins over a generated one of the same text
    kept_keys = {(row["entity_id"], row["alias"], row["language"]) for row in kept_aliases}
    new_aliases = [
        row
        for row in new_aliases
        if (row["entity_id"], row["alias"], row["language"]) not in kept_keys
    ]

    entities = sorted(kept_entities + new_entities, key=lambda row: row["entity_id"])
    aliases = sort_aliases(
        kept_aliases + new_aliases, {row["entity_id"]: row["name"] for row in entities}
    )
    write_csv(entities_path, ENTITY_FIELDS, entities)
    write_csv(aliases_path, ALIAS_FIELDS, aliases)
    print(f"wrote {len(new_entities)} countries ({len(new_aliases)} aliases) of {len(entities)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
