"""New people in the news: persons the seeds do not know, first seen lately, ranked by how much
the news names them, with the roles articles give them and ready-to-paste seed rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flows.text.people import name_key
from flows.warehouse.query import open_read_only


@dataclass(frozen=True)
class NewPerson:
    entity_id: str
    name: str
    stated_role: str | None
    mention_count: int
    article_count: int
    outlets: tuple[str, ...]
    first_seen_at: datetime
    family_name_first: bool


NEW_PEOPLE_SQL = """
with

discovered as (

    select * from marts.dim_entities
    where not is_curated and first_seen_at >= now() - to_days(cast($days as integer))

),

mentions as (

    select
        mentions.entity_id,
        mentions.article_id,
        mentions.outlet_id,
        mentions.stated_role
    from marts.fct_entity_mentions as mentions
    inner join discovered
        on mentions.entity_id = discovered.entity_id

)

select
    discovered.entity_id,
    discovered.name,
    mode(mentions.stated_role) as stated_role,
    discovered.mention_count,
    discovered.article_count,
    list_sort(list_distinct(list(mentions.outlet_id))) as outlets,
    discovered.first_seen_at,
    lower(split_part(discovered.name, ' ', 1)) in (select name from seeds.family_name_first)
        and discovered.name like '%-%' as family_name_first
from discovered
inner join mentions
    on discovered.entity_id = mentions.entity_id
group by all
order by discovered.article_count desc, discovered.mention_count desc, discovered.entity_id
limit $limit
"""


def new_people(warehouse: Path, days: int = 7, limit: int = 50) -> list[NewPerson]:
    """Persons the seeds do not know, first seen in the last ``days`` days, most named first."""
    con = open_read_only(warehouse)
    try:
        rows = con.execute(NEW_PEOPLE_SQL, {"days": days, "limit": limit}).fetchall()
    finally:
        con.close()
    return [
        NewPerson(
            entity_id=row[0],
            name=row[1],
            stated_role=row[2],
            mention_count=int(row[3]),
            article_count=int(row[4]),
            outlets=tuple(o for o in row[5] if o),
            first_seen_at=row[6],
            family_name_first=bool(row[7]),
        )
        for row in rows
    ]


def surname(person: NewPerson) -> str:
    """The word later mentions use: the family name (first for "Cho Tae-yul")."""
    words = person.name.split()
    key = name_key(person.name)
    if person.family_name_first:
        return words[0]
    return words[-1] if len(key) > 1 else person.name


def seed_rows(people: list[NewPerson]) -> tuple[str, str]:
    """Rows to paste into seeds/entities.csv and seeds/entity_aliases.csv: the person keeps
    the id the warehouse already gives them, and with it their history."""
    entities, aliases = io.StringIO(), io.StringIO()
    entity_writer = csv.writer(entities, lineterminator="\n")
    alias_writer = csv.writer(aliases, lineterminator="\n")
    for person in people:
        description = (
            f"First seen {person.first_seen_at:%Y-%m-%d}; named in {person.article_count} "
            f"articles ({', '.join(person.outlets)})."
        )
        entity_writer.writerow(
            [person.entity_id, person.name, "person", "", "", person.stated_role or "", description]
        )
        # source "typed": a person chose to paste them (seeds/README.md, "Where a row comes from")
        alias_writer.writerow(
            [person.entity_id, person.name, "name", "capitalized", "en", "false", "typed"]
        )
        if surname(person) != person.name:
            alias_writer.writerow(
                [
                    person.entity_id,
                    surname(person),
                    "surname",
                    "capitalized",
                    "en",
                    "false",
                    "typed",
                ]
            )
    return entities.getvalue(), aliases.getvalue()
