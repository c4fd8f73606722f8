"""Reading claims out of news text: who said what, through whom, when, with what figure,
anchored to the words (issue 12). The stages are modules of their own, each tested alone:

- text: the body and its sentences, page furniture left out;
- attribution: frames of saying and reporting, speakers, chains of intermediaries;
- entities: names linked to the graph's entities (labels, aliases, spelling variants);
- quantities: figures with their bounds;
- dates: stated dates and periods, resolved against the publication date and marked inferred;
- topics: the SKOS topic a claim is about, from cue words;
- pipeline: the stages together, writing an article's YAML in the curated format;
- evaluate: `whosaid eval`, scoring the extractor against the curated claims.
"""
