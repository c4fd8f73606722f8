"""Word lists for synthetic names and news text. Order matters: lists are ranked for Zipf draws
(the first word of a list is the most frequent), and every draw is made from these tuples, never
from sets, so that a seed gives the same corpus everywhere."""

from __future__ import annotations

# --- Names --------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Oleksandr", "Anna", "Mikhail", "Kim", "Sofia", "Andriy", "Maria", "Pavel", "Elena", "Jonas",
    "Ivan", "Laura", "Dmytro", "Hanna", "Tomas", "Irina", "Marek", "Julia", "Viktor", "Nadia",
    "Lukas", "Olga", "Sergei", "Clara", "Yuri", "Marta", "Stefan", "Daria", "Boris", "Lena",
    "Emil", "Kateryna", "Aleksei", "Vera", "Roman", "Alina", "Georg", "Milena", "Taras", "Inga",
    "Mateusz", "Zoë", "Radu", "Agnès", "Nikolai", "Helga", "Petr", "Noémie", "Ruslan", "Jana",
    "Arman", "Lidia", "Oskar", "Ilona", "Kostiantyn", "Freya", "Bogdan", "Ayla", "Vadym", "Selin",
    "Hyun", "Mira", "Jae", "Sun", "Min", "Ji-woo", "Hiroshi", "Yuki", "Amir", "Leila",
    "Tariq", "Nour", "Samuel", "Grace", "Daniel", "Ruth", "Patrick", "Aoife", "Henrik", "Astrid",
    "Luca", "Chiara", "Pablo", "Inés", "João", "Beatriz", "Mehmet", "Elif", "Arjun", "Priya",
    "Kwame", "Ama", "Tomasz", "Zofia", "Vasyl", "Oksana", "Rustam", "Dilnoza", "Bekzat", "Aigerim",
)

TITLES = ("General", "Colonel", "Minister", "Commander", "Major", "Deputy Minister", "Ambassador",
          "Lieutenant General", "Admiral", "Spokesperson", "President", "Governor")

# Syllables of made-up words: onset + vowel pairs, then an ending that says what kind of name it is.
ONSETS = ("b", "br", "d", "dr", "g", "h", "k", "kr", "l", "m", "n", "p", "r", "s", "st", "t", "tr",
          "v", "z", "zh", "ch", "sh", "j", "f", "y", "ol", "an", "es", "iv", "or")
VOWELS = ("a", "e", "i", "o", "u", "a", "o", "e", "ia", "y")

SURNAME_ENDINGS = ("enko", "ov", "ova", "sky", "ska", "ić", "escu", "ani", "sson", "berg", "uk",
                   "chuk", "yan", "idze", "ovich", "ak", "ek", "er", "ers", "ing", "ez", "on",
                   "ner", "mann", "ovski", "ishin", "ev", "eva", "yk", "ko")
COUNTRY_ENDINGS = ("ia", "istan", "land", "ova", "aria", "enia", "ania", "ora", "uria", "esia")
DEMONYM_FOR = {"ia": "ian", "istan": "istani", "land": "lander", "ova": "ovan", "aria": "arian",
               "enia": "enian", "ania": "anian", "ora": "oran", "uria": "urian", "esia": "esian"}
PLACE_ENDINGS = ("grad", "ovo", "ivka", "burg", "port", "ne", "sk", "ets", "iv", "polis", "dorf",
                 "ava", "yar", "ino", "ovka", "hora", "gorod", "mouth", "ford", "dal")
PLACE_KINDS = ("Oblast", "Region", "Province", "District", "Valley", "Peninsula", "Heights",
               "Bay", "Plain", "Ridge")

AGENCY_KINDS = (
    ("Ministry of Defence", "defence ministry"), ("Ministry of Foreign Affairs", "foreign ministry"),
    ("National Intelligence Service", "intelligence service"), ("General Staff", "general staff"),
    ("Defence Intelligence Directorate", "military intelligence"),
    ("State Border Guard Service", "border guard"), ("Ministry of the Interior", "interior ministry"),
    ("Presidential Office", "presidential office"), ("Security Council", "security council"),
    ("State Emergency Service", "emergency service"), ("Prosecutor General's Office", "prosecutors"),
    ("Coordination Headquarters for Prisoners of War", "prisoner coordination headquarters"),
    ("Ministry of Veterans Affairs", "veterans ministry"), ("State Security Service", "security service"),
    ("Ombudsman's Office", "ombudsman"), ("Customs Service", "customs service"),
)
FORCE_KINDS = (("Armed Forces", "armed forces"), ("National Guard", "national guard"),
               ("Navy", "navy"), ("Air Force", "air force"), ("Territorial Defence Forces", "territorial defence"),
               ("Expeditionary Force", "expeditionary force"), ("Marine Corps", "marines"))
UNIT_KINDS = ("Mechanized Brigade", "Assault Brigade", "Artillery Brigade", "Airborne Brigade",
              "Marine Brigade", "Special Operations Regiment", "Tank Battalion", "Rifle Division",
              "Air Assault Brigade", "Drone Regiment", "Engineering Battalion", "Infantry Brigade")
ORG_KINDS = ("Trading Company", "Holdings", "Humanitarian Fund", "Red Cross Society",
             "Volunteer Foundation", "Energy Company", "Shipping Line", "Arms Manufacturer",
             "Human Rights Group", "Veterans Association", "Railways", "Aviation Works",
             "Monitoring Mission", "Mothers' Committee", "Relief Network", "Press Union")
OUTLET_PATTERNS = ("The {root} Herald", "{root} Daily", "{root} News Agency", "The {root} Times",
                   "{root} Post", "{root} Telegraph", "Radio {root}", "{root} Today",
                   "The {root} Independent", "{root} Pravda", "{root} Broadcasting",
                   "{root} Observer", "{root} Gazette", "{root} Wire")
THINK_TANK_PATTERNS = ("Institute for the Study of {root}", "{root} Centre for Strategic Studies",
                       "{root} Defence Policy Institute", "{root} Conflict Observatory",
                       "Centre for {root} Security", "{root} Foundation for Democracy",
                       "{root} Institute of International Affairs", "{root} Research Council")
UNNAMED_ROLES = ("a senior {dem} official", "{dem} intelligence sources", "a {dem} military source",
                 "{dem} officials familiar with the matter", "a source in the {dem} general staff",
                 "{dem} commanders on the ground", "analysts at a {dem} monitoring group",
                 "a {dem} government adviser", "two {dem} diplomats", "{dem} border guards",
                 "experts interviewed by {outlet}", "sources cited by {outlet}",
                 "a {dem} soldier interviewed by {outlet}", "{dem} and Western officials")

# --- Text ---------------------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
MONTH_ABBR = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
              "Nov.", "Dec.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SAY_VERBS = ("said", "said", "said", "told reporters", "stated", "claimed", "estimated",
             "reported", "wrote", "announced", "noted", "insisted", "suggested", "warned")
APPROX = ("around", "about", "roughly", "some", "approximately", "an estimated")

# Ranked vocabularies (Zipf within each): the head words recur in almost every article, the tail
# ones in a few, as in news.
DETERMINERS = ("the", "the", "a", "its", "their", "this", "that", "another", "every", "several")
ADJECTIVES = (
    "new", "heavy", "military", "Russian", "Ukrainian", "North Korean", "large", "recent", "frontline",
    "major", "strategic", "regional", "local", "western", "eastern", "southern", "northern",
    "intense", "fierce", "limited", "key", "possible", "latest", "official", "significant", "small",
    "former", "armoured", "unmanned", "additional", "fresh", "sustained", "renewed", "temporary",
    "joint", "defensive", "offensive", "direct", "senior", "urgent", "massive", "coordinated",
    "covert", "precise", "provisional", "unverified", "heightened", "prolonged", "logistical",
    "diplomatic", "humanitarian", "tactical", "grinding", "costly", "sporadic", "entrenched",
    "mechanised", "airborne", "naval", "contested", "occupied", "liberated", "embattled",
    "disputed", "conflicting", "independent", "satellite", "classified", "partial", "seasonal",
)
NOUNS = (
    "troops", "forces", "war", "front", "attack", "region", "officials", "soldiers", "war", "army",
    "offensive", "positions", "drones", "artillery", "losses", "village", "strikes", "defence",
    "ministry", "operation", "border", "units", "fighting", "report", "assault", "battle", "city",
    "line", "territory", "intelligence", "commander", "weapons", "missiles", "talks", "sanctions",
    "ceasefire", "negotiations", "equipment", "aid", "civilians", "infrastructure", "shelling",
    "air defence", "counteroffensive", "supply lines", "reserves", "brigade", "battalion",
    "convoy", "trenches", "tanks", "ammunition", "shells", "evacuation", "prisoners", "exchange",
    "mobilisation", "recruits", "training", "deployment", "rotation", "withdrawal", "advance",
    "foothold", "bridgehead", "salient", "outskirts", "settlement", "depot", "airfield", "radar",
    "satellite images", "footage", "statement", "briefing", "interview", "estimate", "figures",
    "casualty count", "frontline", "sector", "axis", "direction", "corridor", "perimeter",
    "logistics", "morale", "discipline", "desertion", "command", "headquarters", "observers",
    "monitors", "journalists", "volunteers", "medics", "hospital", "power grid", "railway",
    "bridge", "river", "forest", "hills", "highway", "checkpoint", "embassy", "summit",
    "delegation", "envoy", "parliament", "budget", "contract", "shipment", "factory", "arsenal",
    "stockpile", "minefield", "fortifications", "dugouts", "glide bombs", "cruise missiles",
    "ballistic missiles", "loitering munitions", "electronic warfare", "jamming", "reconnaissance",
    "sabotage", "partisans", "mercenaries", "contractors", "conscripts", "veterans", "widows",
    "refugees", "curfew", "blackout", "heatwave", "thaw", "mud", "snowfall", "dawn", "nightfall",
)
VERBS = (
    "said", "continued", "launched", "reported", "repelled", "captured", "struck", "destroyed",
    "moved", "held", "lost", "pushed", "deployed", "withdrew", "advanced", "shelled", "targeted",
    "confirmed", "denied", "described", "shifted", "reinforced", "intercepted", "shot down",
    "recaptured", "encircled", "evacuated", "rotated", "regrouped", "dug in", "fortified",
    "stalled", "resumed", "escalated", "eased", "mined", "cleared", "supplied", "rebuilt",
    "documented", "verified", "disputed", "questioned", "welcomed", "condemned", "pledged",
)
PREPOSITIONS = ("in", "near", "along", "across", "around", "towards", "behind", "outside", "from",
                "into", "over", "beyond", "within", "south of", "north of", "east of", "west of")
CONNECTIVES = ("Meanwhile,", "At the same time,", "Earlier,", "Separately,", "According to observers,",
               "In recent weeks,", "Since then,", "Overnight,", "Later that day,", "By contrast,",
               "As a result,", "In the past month,", "Despite this,", "Officially,")
PERIOD_PHRASES = ("in the past {n} weeks", "over the last {n} days", "in the past {n} months")

HEADLINE_VERBS = ("say", "claim", "report", "estimate", "warn", "confirm", "deny", "admit")
CAPTION_SUBJECTS = ("Soldiers", "Servicemen", "Rescuers", "Residents", "Volunteers", "Medics",
                    "Officials", "Artillerymen", "Drone operators", "Sappers")
CAPTION_ACTIONS = ("walk past a destroyed building", "prepare a howitzer", "gather at a checkpoint",
                   "inspect the site of a strike", "unload humanitarian aid", "train at a range",
                   "attend a funeral", "repair a power line", "launch a drone", "dig trenches")
PHOTO_AGENCIES = ("AFP via Getty Images", "Reuters", "AP Photo", "Anadolu via Getty Images",
                  "EPA", "Global Images", "Press Service", "NurPhoto via Getty Images")

UTTERANCE_OPENERS = ("We have seen", "We are talking about", "There are", "We know of",
                     "They have lost", "The enemy has", "Our data show", "We estimate",
                     "This is", "We cannot rule out", "It is clear that", "Nobody expected")
