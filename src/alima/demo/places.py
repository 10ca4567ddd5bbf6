"""The demo place tree: Mali, four regions, five districts, health areas and service points."""

from __future__ import annotations

# (code, name, kind, parent code, latitude, longitude, population 2026)
Row = tuple[str, str, str, str | None, float | None, float | None, int | None]

PLACES: list[Row] = [
    ("ML", "Mali", "country", None, 17.57, -3.99, 23_293_698),
    ("ML-SEG", "Ségou", "region", "ML", 13.43, -6.26, 3_378_000),
    ("ML-MOP", "Mopti", "region", "ML", 14.49, -4.19, 2_610_000),
    ("ML-TBK", "Tombouctou", "region", "ML", 16.77, -3.00, 1_010_000),
    ("ML-KKR", "Koulikoro", "region", "ML", 12.86, -7.56, 3_068_000),
    ("ML-SEG-NIO", "District sanitaire de Niono", "district", "ML-SEG", 14.25, -5.99, 512_000),
    ("ML-MOP-MOP", "District sanitaire de Mopti", "district", "ML-MOP", 14.49, -4.19, 468_000),
    ("ML-MOP-BDG", "District sanitaire de Bandiagara", "district", "ML-MOP", 14.35, -3.61, 410_000),
    ("ML-TBK-GDM", "District sanitaire de Goundam", "district", "ML-TBK", 16.41, -3.67, 196_000),
    ("ML-KKR-DIO", "District sanitaire de Dioïla", "district", "ML-KKR", 12.49, -6.79, 402_000),
    # Niono
    ("ML-SEG-NIO-NC", "Aire de santé de Niono Central", "health_area", "ML-SEG-NIO", 14.25, -5.99, 61_000),
    ("ML-SEG-NIO-MOL", "Aire de santé de Molodo", "health_area", "ML-SEG-NIO", 14.26, -6.03, 24_000),
    ("ML-SEG-NIO-SIR", "Aire de santé de Siribala", "health_area", "ML-SEG-NIO", 14.06, -6.07, 27_000),
    ("ML-SEG-NIO-DIA", "Aire de santé de Diabaly", "health_area", "ML-SEG-NIO", 14.69, -6.02, 32_000),
    ("ML-SEG-NIO-CSREF", "CSRef de Niono", "facility", "ML-SEG-NIO", 14.252, -5.995, None),
    ("ML-SEG-NIO-NC-CS", "CSCom de Niono Central", "facility", "ML-SEG-NIO-NC", 14.248, -5.992, None),
    ("ML-SEG-NIO-MOL-CS", "CSCom de Molodo", "facility", "ML-SEG-NIO-MOL", 14.262, -6.031, None),
    ("ML-SEG-NIO-SIR-CS", "CSCom de Siribala", "facility", "ML-SEG-NIO-SIR", 14.061, -6.072, None),
    ("ML-SEG-NIO-DIA-CS", "CSCom de Diabaly", "facility", "ML-SEG-NIO-DIA", 14.688, -6.018, None),
    ("ML-SEG-NIO-CM1", "Clinique mobile de Niono", "mobile_clinic", "ML-SEG-NIO", 14.25, -5.99, None),
    # Mopti
    ("ML-MOP-MOP-SEV", "Aire de santé de Sévaré", "health_area", "ML-MOP-MOP", 14.53, -4.10, 58_000),
    ("ML-MOP-MOP-SOC", "Aire de santé de Socoura", "health_area", "ML-MOP-MOP", 14.47, -4.15, 21_000),
    ("ML-MOP-MOP-FAT", "Aire de santé de Fatoma", "health_area", "ML-MOP-MOP", 14.62, -4.06, 19_000),
    ("ML-MOP-MOP-KON", "Aire de santé de Konna", "health_area", "ML-MOP-MOP", 14.94, -3.89, 36_000),
    ("ML-MOP-MOP-CSREF", "CSRef de Mopti", "facility", "ML-MOP-MOP", 14.493, -4.196, None),
    ("ML-MOP-MOP-SEV-CS", "CSCom de Sévaré II", "facility", "ML-MOP-MOP-SEV", 14.531, -4.098, None),
    ("ML-MOP-MOP-SOC-CS", "CSCom de Socoura", "facility", "ML-MOP-MOP-SOC", 14.469, -4.152, None),
    ("ML-MOP-MOP-FAT-CS", "CSCom de Fatoma", "facility", "ML-MOP-MOP-FAT", 14.621, -4.061, None),
    ("ML-MOP-MOP-KON-CS", "CSCom de Konna", "facility", "ML-MOP-MOP-KON", 14.941, -3.889, None),
    ("ML-MOP-MOP-CM1", "Clinique mobile de Mopti 1", "mobile_clinic", "ML-MOP-MOP", 14.49, -4.19, None),
    ("ML-MOP-MOP-CM2", "Clinique mobile de Mopti 2", "mobile_clinic", "ML-MOP-MOP", 14.52, -4.12, None),
    # Bandiagara
    ("ML-MOP-BDG-BC", "Aire de santé de Bandiagara Central", "health_area", "ML-MOP-BDG", 14.35, -3.61, 38_000),
    ("ML-MOP-BDG-DOU", "Aire de santé de Dourou", "health_area", "ML-MOP-BDG", 14.17, -3.39, 17_000),
    ("ML-MOP-BDG-BC-CS", "CSCom de Bandiagara Central", "facility", "ML-MOP-BDG-BC", 14.349, -3.612, None),
    ("ML-MOP-BDG-DOU-CS", "CSCom de Dourou", "facility", "ML-MOP-BDG-DOU", 14.171, -3.391, None),
    # Goundam
    ("ML-TBK-GDM-GC", "Aire de santé de Goundam Central", "health_area", "ML-TBK-GDM", 16.41, -3.67, 22_000),
    ("ML-TBK-GDM-TON", "Aire de santé de Tonka", "health_area", "ML-TBK-GDM", 16.11, -3.78, 26_000),
    ("ML-TBK-GDM-HOP", "Hôpital de Goundam", "facility", "ML-TBK-GDM", 16.414, -3.668, None),
    ("ML-TBK-GDM-GC-CS", "CSCom de Goundam Central", "facility", "ML-TBK-GDM-GC", 16.409, -3.671, None),
    ("ML-TBK-GDM-TON-CS", "CSCom de Tonka", "facility", "ML-TBK-GDM-TON", 16.112, -3.781, None),
    # Dioïla
    ("ML-KKR-DIO-DC", "Aire de santé de Dioïla Central", "health_area", "ML-KKR-DIO", 12.49, -6.79, 34_000),
    ("ML-KKR-DIO-FAN", "Aire de santé de Fana", "health_area", "ML-KKR-DIO", 12.77, -6.95, 41_000),
    ("ML-KKR-DIO-MAS", "Aire de santé de Massigui", "health_area", "ML-KKR-DIO", 11.86, -6.77, 23_000),
    ("ML-KKR-DIO-CSREF", "CSRef de Dioïla", "facility", "ML-KKR-DIO", 12.493, -6.788, None),
    ("ML-KKR-DIO-DC-CS", "CSCom de Dioïla Central", "facility", "ML-KKR-DIO-DC", 12.488, -6.792, None),
    ("ML-KKR-DIO-FAN-CS", "CSCom de Fana", "facility", "ML-KKR-DIO-FAN", 12.771, -6.951, None),
    ("ML-KKR-DIO-MAS-CS", "CSCom de Massigui", "facility", "ML-KKR-DIO-MAS", 11.862, -6.771, None),
]

#: 29 sites of internally displaced people, with the health area that hosts each.
DISPLACEMENT_SITES: list[tuple[str, str]] = [
    ("Site de déplacés de Socoura", "ML-MOP-MOP-SOC"),
    ("Site de déplacés de Sévaré Walialdé", "ML-MOP-MOP-SEV"),
    ("Site de déplacés de Sévaré Bagadadji", "ML-MOP-MOP-SEV"),
    ("Site de déplacés de Sévaré Guérédia", "ML-MOP-MOP-SEV"),
    ("Site de déplacés de Fatoma", "ML-MOP-MOP-FAT"),
    ("Site de déplacés de Konna Est", "ML-MOP-MOP-KON"),
    ("Site de déplacés de Konna Ouest", "ML-MOP-MOP-KON"),
    ("Site de déplacés de Mossinkoré", "ML-MOP-MOP-SEV"),
    ("Site de déplacés de Kounabembé", "ML-MOP-MOP-SOC"),
    ("Site de déplacés de Tongorongo", "ML-MOP-MOP-FAT"),
    ("Site de déplacés de Bandiagara Ségué", "ML-MOP-BDG-BC"),
    ("Site de déplacés de Bandiagara Ende", "ML-MOP-BDG-BC"),
    ("Site de déplacés de Bandiagara Dandoli", "ML-MOP-BDG-BC"),
    ("Site de déplacés de Dourou", "ML-MOP-BDG-DOU"),
    ("Site de déplacés de Nombori", "ML-MOP-BDG-DOU"),
    ("Site de déplacés de Djiguibombo", "ML-MOP-BDG-DOU"),
    ("Site de déplacés de Niono Ouest", "ML-SEG-NIO-NC"),
    ("Site de déplacés de Niono Hamdallaye", "ML-SEG-NIO-NC"),
    ("Site de déplacés de Molodo Centre", "ML-SEG-NIO-MOL"),
    ("Site de déplacés de Siribala Coura", "ML-SEG-NIO-SIR"),
    ("Site de déplacés de Diabaly Nord", "ML-SEG-NIO-DIA"),
    ("Site de déplacés de Dogofry", "ML-SEG-NIO-DIA"),
    ("Site de déplacés de Goundam Abaradjou", "ML-TBK-GDM-GC"),
    ("Site de déplacés de Goundam Hamabangou", "ML-TBK-GDM-GC"),
    ("Site de déplacés de Tonka Centre", "ML-TBK-GDM-TON"),
    ("Site de déplacés de Tonka Bambara-Maoudé", "ML-TBK-GDM-TON"),
    ("Site de déplacés de Fana Bougoula", "ML-KKR-DIO-FAN"),
    ("Site de déplacés de Dioïla Kolondiéba", "ML-KKR-DIO-DC"),
    ("Site de déplacés de Massigui", "ML-KKR-DIO-MAS"),
]

#: Villages of each health area (patients' villages).
VILLAGES: dict[str, list[str]] = {
    "ML-SEG-NIO-NC": ["Niono", "Kouyan-Coura", "Pogo", "Sériwala", "N'Débougou"],
    "ML-SEG-NIO-MOL": ["Molodo", "Moussa-Wèrè", "Kala", "Banikoro"],
    "ML-SEG-NIO-SIR": ["Siribala", "Tiemedeli", "Kourouma", "Sagala"],
    "ML-SEG-NIO-DIA": ["Diabaly", "Dogofry", "Kourouma-Diabaly", "Nampala"],
    "ML-MOP-MOP-SEV": ["Sévaré", "Bagadadji", "Walialdé", "Mossinkoré"],
    "ML-MOP-MOP-SOC": ["Socoura", "Kounabembé", "Gnimitogo", "Bargondaga"],
    "ML-MOP-MOP-FAT": ["Fatoma", "Tongorongo", "Kobaka", "Djimé"],
    "ML-MOP-MOP-KON": ["Konna", "Kontza", "Sarayamou", "Kotaka"],
    "ML-MOP-BDG-BC": ["Bandiagara", "Ségué", "Ende", "Dandoli"],
    "ML-MOP-BDG-DOU": ["Dourou", "Nombori", "Djiguibombo", "Tirely"],
    "ML-TBK-GDM-GC": ["Goundam", "Abaradjou", "Hamabangou", "Douekiré"],
    "ML-TBK-GDM-TON": ["Tonka", "Bambara-Maoudé", "Kora", "Tindirma"],
    "ML-KKR-DIO-DC": ["Dioïla", "Kolondiéba", "Banco", "Niantjila"],
    "ML-KKR-DIO-FAN": ["Fana", "Bougoula", "Diéna", "Ntiobougou"],
    "ML-KKR-DIO-MAS": ["Massigui", "Nangola", "Dolendougou", "Kémékafo"],
}

GIVEN_NAMES_F = [
    "Aïssata", "Fatoumata", "Mariam", "Awa", "Kadiatou", "Aminata", "Oumou", "Hawa",
    "Rokia", "Djénéba", "Assitan", "Bintou", "Safiatou", "Nana", "Kadidia", "Salimata",
    "Maïmouna", "Fanta", "Ramata", "Adiaratou", "Ténin", "Korotoumou", "Sitan", "Coumba",
]
GIVEN_NAMES_M = [
    "Moussa", "Mamadou", "Boubacar", "Seydou", "Oumar", "Ibrahim", "Adama", "Souleymane",
    "Bakary", "Amadou", "Modibo", "Issa", "Drissa", "Lassina", "Yacouba", "Sékou",
    "Abdoulaye", "Hamidou", "Aliou", "Youssouf", "Cheick", "Dramane", "Siaka", "Tiémoko",
]
FAMILY_NAMES = [
    "Traoré", "Coulibaly", "Diarra", "Keïta", "Koné", "Sangaré", "Diallo", "Touré",
    "Cissé", "Maïga", "Sidibé", "Dembélé", "Konaté", "Ballo", "Dicko", "Guindo",
    "Togo", "Kassogué", "Doumbia", "Samaké", "Bagayoko", "Sanogo", "Haïdara", "Tangara",
    "Kanté", "Bah", "Sow", "Tembely",
]
