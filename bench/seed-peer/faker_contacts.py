"""Peer for `flowgate seed generate`: Python Faker writing the same shape of contacts CSV.

Usage: python3 faker_contacts.py N OUT.csv
One row per contact with 41 columns like the acme example's contacts table: name, safe email,
phone, address, time zone, consent status/time/source per channel, enums, numbers, dates.
Seeded (Faker.seed) so that a run repeats.
"""
import csv
import random
import sys

from faker import Faker

LOCALES = ["en_US", "de_DE", "en_GB", "fr_FR"]


def main() -> None:
    count, out = int(sys.argv[1]), sys.argv[2]
    Faker.seed(1)
    random.seed(1)
    fakes = [Faker(locale) for locale in LOCALES]
    columns = ["id", "created_at", "locale", "time_zone", "company_id", "edge_case"] + [
        f"field_{i}" for i in range(35)
    ]
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for index in range(count):
            fake = fakes[index % len(fakes)]
            row = [
                index + 1,
                fake.date_time_between("-2y", "now").isoformat(),
                LOCALES[index % len(LOCALES)],
                fake.timezone(),
                random.randint(1, count // 8) if random.random() < 0.4 else "",
                "",
            ]
            for consent in range(2):
                status = random.choice(["granted", "withdrawn", "unknown"])
                row += [status, fake.date_time_between("-2y", "now").isoformat(), fake.word()]
            row += [
                fake.safe_email(),
                fake.first_name(),
                fake.last_name(),
                fake.phone_number(),
                fake.city(),
                fake.postcode(),
                fake.street_address(),
                fake.company(),
                fake.sentence(),
                fake.uuid4(),
            ]
            row += [random.randint(0, 100) for _ in range(8)]
            row += [fake.date_time_between("-1y", "now").isoformat() for _ in range(5)]
            row += [random.choice(["a", "b", "c"]) for _ in range(6)]
            writer.writerow(row)


if __name__ == "__main__":
    main()
