"""The outcome of a response: disclosed, partial, refused, not_held, ncnd or unknown.

Each short answer (Q&A pair) and each sentence of the response part is labelled from its
wording, then the labels combine by one rule set, written for FOI and EIR responses in general
and read the way requesters and authorities label their own outcomes. The first rule that
applies decides:

1. Unknown, for a holding reply: an acknowledgement ("has been logged", "we will respond by"),
   a request for clarification ("could you clarify", "before we can process your request")
   or a deadline extension ("we need further time to consider the public interest"), unless
   the letter also gives information. Naming the exemption still being considered does not
   make an extension letter a refusal.
2. NCND: the letter will "neither confirm nor deny" (partial when it also gives information).
3. Partial: something given (answers, figures, tables, attachments, a link that answers a
   question) and something not given:
   a. withheld or refused under an exemption or the cost limit, including personal data that
      was itself asked for ("the names you requested are exempt", "names have been withheld");
   b. redacted under an exemption other than personal data's ("prices redacted under s43"),
      or redacted on no stated ground (a "... Redacted.pdf" no sentence explains);
   c. not held, in part or in the form asked for ("we do not hold the 2014 figures", "not
      broken down by type", "only available from 2018"), not held yet ("will be published in
      due course"), or only partly searched ("we have only looked at the FOI team's emails").
4. Refused: nothing given and something withheld or refused (an exemption, the cost limit,
   vexatious or repeated). A pointer to published information, or a suggestion to narrow the
   request, beside a refusal is advice, not a disclosure.
5. Not held: nothing given, and the letter says it holds none of the information, that
   someone else holds it, or that the thing asked about does not exist ("we have no contracts
   with X", "no such trial has taken place"). A nil answer beside other answers is an answer.
   A pointer offered as advice beside a "not held" ("for further information see ...", "you
   may be interested in ...", another body's publication) gives nothing.
6. Disclosed: information given and nothing withheld, refused or said not to be held.
   Personal data redacted from released documents (names, contact details, signatures of
   staff or third parties, under s40(2) or EIR 12(3)/13) leaves a response disclosed: the
   requester has what was asked for, less what no authority releases. Section 21 alone
   ("published on our website at ...") gives the requester the information.
7. Unknown, with no evidence either way.

What does not count as giving information: the letter's opening and closing boilerplate (the
Act's wording, review and complaint rights, re-use licences), the request repeated above each
answer ("Please break the figures down by year"), a reference, telephone or section number,
and advice on where else to look. What does not count as withholding: standard text that
indexer.boilerplate recognises by its shape (complaint and review rights; what the Act or an
exemption says, when the sentence names no party and no decision), so "Section 43 provides
that information is exempt if ..." explains and "the prices are exempt under section 43"
decides.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from indexer.boilerplate import CACHED_SENTENCE, cached_shape_score
from indexer.lazyre import lazy_compile
from indexer.memo import cached_when_short
from indexer.metadata.exemptions import NCND as _NCND
from indexer.metadata.exemptions import Citation, find_citations
from indexer.metadata.layout import Layout, Span, sentences
from indexer.models import QAPair

_REFUSED = lazy_compile(
    r"^\W*(?:exempt|withheld|refused)\b|exempt\w*\s+from\s+disclosure|\b(?:is|are|be|remains?)\s+exempt\b|\bexempt\s+under\b|"
    r"\bexemptions?\s+(?:appl|engag|under|at|in\s+section)|\bwithh[oe]ld|\bwithholding\b|"
    r"\brefus(?:e|al|ed|ing)\b|\bcost\s+limit|appropriate\s+limit|exceed\w*\s+the\s+(?:cost|appropriate|time)|"
    r"\bvexatious|repeated\s+request|not\s+(?:be\s+)?(?:able|in\s+a\s+position)\s+to\s+(?:provide|disclose|release|supply|comply)|"
    r"unable\s+to\s+(?:comply|(?:provide|disclose|release|supply)\s+(?:you\s+with\s+)?(?:the\s+|this\s+|that\s+|these\s+|those\s+|any\s+|such\s+|some\s+|all\s+)?"
    r"(?:requested\s+|specific\s+|remaining\s+)?(?:information|data|details|figures|records|documents|copies|names|it\b|them\b|this\b))|will\s+not\s+(?:be\s+)?(?:disclos|provid|releas)|"
    r"not\s+be\s+(?:disclosed|provided|released)|decided\s+not\s+to\s+(?:disclose|release|provide)|"
    r"not\s+obliged\s+to\s+(?:provide|supply|disclose|comply)|\bexception\s+(?:appl|under|is\s+engaged)|"
    r"\bmaintaining\s+the\s+(?:exemption|exception)|would\s+(?:be\s+likely\s+to\s+)?prejudice",
    re.I,
)
_NOT_HELD = lazy_compile(
    r"\b(?:do|does|did)\s+not\s+hold\b|\bdon['’]t\s+hold\b|\bnot\s+held\b|\bhold\s+no\s+(?:recorded\s+|such\s+|relevant\s+)?"
    r"(?:information|data|records?)|no\s+(?:recorded\s+)?information\s+(?:is\s+|was\s+)?held|"
    r"\b(?:do|does|did)\s+not\s+(?:have|possess|retain|record|collect|keep|store)\s+(?:any\s+|the\s+|this\s+|such\s+|that\s+)?"
    r"(?:recorded\s+|analysed\s+)?(?:information|data|records?|details|figures|statistics)|"
    r"\bdon['’]t\s+(?:have|record|collect|keep|possess)\s+(?:any\s+|the\s+|this\s+|such\s+)?(?:information|data|records?|details|figures)|"
    r"\bno\s+(?:such\s+|relevant\s+)?(?:information|records?|data)\s+(?:is|are|was|were|has\s+been|have\s+been)\s+"
    r"(?:held|retained|recorded|found|located|identified|kept)|"
    r"\b(?:is|are)\s+not\s+(?:recorded|retained|collected|kept|stored)\b|\bnot\s+stored\s+centrally|"
    r"\bno\s+information\s+relating\s+to\b[^.]{0,60}\b(?:has\s+been|was|is)\s+retained|"
    r"\b(?:do|does)\s+not\s+record\b|\bno\s+recorded\s+information\b|information\s+(?:is\s+)?not\s+held|"
    r"\b(?:do\s+not|don['’]t|does\s+not)\s+have\s+(?:a|an|any)\s+(?:definitive\s+|exact\s+|accurate\s+|precise\s+)?"
    r"(?:number|figure|figures|record|records|breakdown|list|information|data|details)\b|"
    r"\bonly\s+(?:have|hold)\s+(?:information|data|records|figures)\s+(?:for|on|about|relating|from)|"
    r"\bonly\s+(?:available|held|recorded|collected)\s+(?:from|since|for)\b|"
    r"\b(?:cannot|can\s*not|could\s+not)\s+be\s+answered|\bunable\s+to\s+answer|"
    # someone else holds it: "this information would be held by the school"
    r"\b(?:information|data|records?|figures|details|this|it|they|these)\s+(?:is\s+|are\s+|would\s+be\s+|will\s+be\s+|may\s+be\s+)"
    r"held\s+by\s+(?:the|each|individual|another|other|a|an|their|its)\b|"
    # not held in the form asked for: "not quantifiable to individual polluters"
    r"\bnot\s+(?:separately\s+)?(?:quantifiable|identifiable)\s+(?:to|by|for|from|at)\b|"
    r"\b(?:is|are)\s+not\s+(?:broken\s+down|recorded\s+separately|separately\s+recorded|captured|categorised|categorized)\b|"
    r"\b(?:do|does|did|can)\s*not\s+(?:break|split)\b[^.]{0,40}?\b(?:down|out)\b|"
    # not held yet: "the strategy has not yet been finalised", "these will be published in due course"
    r"\bnot\s+yet\s+(?:been\s+)?(?:published|finali[sz]ed|completed|agreed|approved|produced|available|collated|compiled)\b|"
    r"\b(?:these|those|they|the\s+(?:report|reports|data|figures|plan|strategy|results|documents?|minutes|papers|"
    r"review|statistics|policy|policies))\s+(?:will|are\s+due\s+to|are\s+expected\s+to)\s+be\s+"
    r"(?:published|made\s+(?:public|available)|finali[sz]ed)\b(?![^.]{0,80}\bdisclosure\s+log)|"
    # only part looked at: "we have only looked at the emails held by the FOI team"
    r"\b(?:we|I)\s+have\s+only\s+(?:looked\s+at|searched|included|counted|considered|checked|reviewed)\b|"
    r"\b(?:we|I)\s+have\s+not\s+(?:searched|counted|included|looked\s+at|checked)\b|"
    r"\b(?:have|has)\s+only\s+been\s+able\s+to\s+(?:provide|find|locate|identify|retrieve|supply|obtain)\b",
    re.I,
)
# "Some of the information you have requested is exempt", "I am withholding part of the
# information": the letter says itself that only part was refused.
_PART = lazy_compile(
    r"\b(?:some|part|parts|certain|elements?|portions?)\s+of\s+(?:the\s+|this\s+|your\s+)?(?:requested\s+)?"
    r"(?:information|data|documents?|records?|details|request)\b[^.]{0,80}?\b(?:exempt|withh[oe]ld|refus|"
    r"not\s+(?:be\s+)?(?:provided|disclosed|released))"
    r"|\b(?:withhold\w*|withheld|exempt(?:ing)?|refus\w*)\s+(?:some|part|parts|certain|elements?|portions?)\s+of\b",
    re.I,
)
# Redaction inside disclosed documents ("names of third parties have been redacted") differs
# from withholding requested information ("names ... withheld/exempt", a refusal cue).
_REDACTED = lazy_compile(
    r"\bredact(?:ed|ion|ions)\b|\b(?:names?|personal\s+(?:data|information|details)|contact\s+details|signatures?|"
    r"e-?mail\s+addresses|telephone\s+numbers)\b[^.]{0,120}\b(?:removed|blacked\s+out|obscured|omitted)\b",
    re.I,
)
# Whose data a redaction removes: names, contact details and other personal data are taken out
# of nearly every released document, and the requester still has what was asked for.
_PERSONAL = lazy_compile(
    r"\bpersonal\s+(?:data|information|details)|\bnames?\b|\bcontact\s+details|\bsignatures?\b|"
    r"\be-?mail\s+addresses|\b(?:tele)?phone\s+numbers|\bthird\s+part(?:y|ies)|\bindividuals?\b|"
    r"\bmembers?\s+of\s+(?:the\s+)?(?:public|staff)|\bdata\s+subjects?\b|\bprivate\s+addresses",
    re.I,
)
_PERSONAL_CODE = lazy_compile(r"s40|eir12\(3\)|eir13")
# A refusal that names what was asked for ("the names you have requested are exempt") withholds
# part of the request, whatever the data is.
_REQUESTED = lazy_compile(r"\b(?:you\s+(?:have\s+)?(?:requested|asked\s+for|sought)|requested\s+information)\b", re.I)
# A pointer offered as advice ("for further information", "you may be interested"), or to
# someone else's publication, gives nothing asked for; beside a "not held" only a pointer that
# answers a question does ("with regards to policy, it is in our strategy, see the link").
_ADVICE = lazy_compile(
    r"\b(?:further|more|additional|general)\s+(?:information|details|context|reading)\b|\bcontact\s+details\b|"
    r"\b(?:you\s+may|you\s+might|should\s+you|if\s+you)\s+(?:also\s+)?(?:wish|want|like|be\s+interested|find)|"
    r"\bmay\s+(?:be\s+)?(?:of\s+(?:interest|use|help|assistance)|useful|helpful|assist|help)|"
    r"\bmight\s+(?:be\s+)?(?:of\s+(?:interest|use|help)|useful|helpful|assist|help)",
    re.I,
)
# Where the published answer is: a link, a website, "at the following ...". Without one, "the figures
# are provisional and may be revised when final data is published" is a caveat, not a pointer.
_LOCATION = lazy_compile(
    r"https?://|www\.|\[\d+\]|\bwebsite|\bweb\s+site|\blinks?\b|\bonline\b|\bportal\b|"
    r"\b(?:at|on|via|in)\s+(?:the\s+)?following|\bbelow\b|\bhere\b",
    re.I,
)
_SELF = lazy_compile(r"\b(?:us|our|we|council|authority|force)\b", re.I)
_ACCESSIBLE = lazy_compile(
    r"accessible\s+(?:to\s+(?:you|the\s+applicant)\s+)?by\s+other\s+means|reasonably\s+accessible", re.I
)
# Published by someone else: "the statistics are published by the Department for Education".
_OTHERS = lazy_compile(
    r"\b(?:published|produced|held|collected|compiled|maintained)\s+by\s+(?:the\s+)?[\w&]+(?:\s+[A-Z][\w&]*){0,4}"
    r"|\b(?:on|via|from)\s+(?:the\s+)?(?:(?:[A-Z][\w&]*|for|of|and|&)\s+){0,5}?[A-Z][\w&]*(?:['’]s?)?\s+"
    r"(?:website|web\s+site|pages)",
)
# Explanations of the law ("Section 43 provides information is exempt if ...") name no party
# and no decision; a decision says who did what to which information.
_DEICTIC = lazy_compile(
    r"\b(?:we|I|us|our|you|your|these|therefore|has\s+been|have\s+been|is\s+being|are\s+being|"
    r"this\s+(?:information|request|data|case|part)|the\s+(?:information|data|figures|documents?|names)\s+"
    r"(?:you|requested|asked|sought|held))\b"
    # ... or applies one: "the names are exempt", not "information is exempt if ..."
    r"|\b(?:is|are|has\s+been|have\s+been|was|were)\s+(?:therefore\s+)?(?:exempt|withheld|refused|redacted|"
    r"not\s+(?:be\s+)?(?:disclosed|provided|released))\b(?!\s+(?:information\s+)?(?:if|where|when)\b)",
    re.I,
)
# Section 21 points to information published elsewhere: alone it gives the requester the
# information; beside other exemptions it is part of a refusal.
_POINTER = lazy_compile(
    r"accessible\s+(?:to\s+(?:you|the\s+applicant)\s+)?by\s+other\s+means|reasonably\s+accessible|"
    r"information\s+(?:is\s+)?(?:available|published)\s+(?:at|on|online|via)|\bavailable\s+(?:online|on\s+(?:our|the)\s+\w*\s*website)|"
    r"\bwe\s+publish\b|\bpublishes\b|\b(?:is|are)\s+published\b|please\s+(?:find|see)\s+(?:the\s+)?(?:following\s+)?links?\b|"
    r"following\s+links?\s*:",
    re.I,
)
_ATTACHMENT = lazy_compile(
    r"^[ \t]*(?P<name>[^\n]{1,160}?\.(?:pdf|docx?|xlsx?|xlsm|csv|pptx?|odt|ods|rtf|txt|zip|msg))[ \t]*$", re.I | re.M
)
_REFUSAL_FILE = lazy_compile(r"refus", re.I)
_REDACTED_FILE = lazy_compile(r"redact", re.I)
# "No information has been withheld", "provided in full", "we are not relying on any exemption".
_IN_FULL = lazy_compile(
    r"\b(?:no|nothing|none)\b[^.]{0,40}\b(?:withheld|redacted|exempt\w*)\b|\bnot\s+(?:been\s+)?(?:withheld|redacted|refused)|"
    r"\bwithout\s+(?:any\s+)?redaction|(?<!exempt\s)(?<!refused\s)(?<!withheld\s)(?<!withhold\s)(?<!exemption\s)"
    r"(?<!applies\s)(?<!apply\s)(?<!refuse\s)(?<!request\s)\bin\s+full\b|no\s+exemptions?\s+(?:has|have)\s+been|"
    r"not\s+(?:relying|rely|applied|applying)\s+(?:on\s+)?(?:any\s+)?exemptions?",
    re.I,
)
# A letter that is not yet the answer: an acknowledgement or a deadline extension...
_PENDING = lazy_compile(
    r"acknowledge\s+receipt|\b(?:has|have)\s+been\s+(?:logged|registered)\b|"
    r"\b(?:we|I)\s+(?:will|shall|aim\s+to|expect\s+to|hope\s+to|intend\s+to)\s+(?:now\s+)?(?:respond|reply|be\s+in\s+touch|"
    r"provide\s+(?:you\s+with\s+)?(?:a|our|the)\s+(?:full\s+|final\s+)?(?:response|reply)|send\s+(?:you\s+)?(?:a|our|the)\s+(?:full\s+)?response)|"
    r"will\s+receive\s+(?:it|a\s+response|our\s+response|a\s+reply)|\bmust\s+respond\s+(?:to\s+you\s+)?(?:within|by)\b|"
    # extension and delay
    r"extend\s+the\s+(?:time|deadline|period|response\s+time)|\bextension\s+(?:of|to)\s+the\s+(?:time|deadline)|"
    r"\b(?:need|needs|require|requires|needed|required)\s+(?:some\s+)?(?:further|additional|more)\s+time\b|"
    r"\b(?:further|additional|more)\s+time\s+(?:is|will\s+be)\s+(?:needed|required)|"
    r"public\s+interest\s+test\s+extension|not\s+(?:yet\s+)?(?:been\s+)?(?:able|in\s+a\s+position)\s+to\s+"
    r"(?:respond|complete|reply|finalise|finalize|provide\s+(?:you\s+with\s+)?(?:a|our|the)\s+(?:full\s+)?response)|"
    r"still\s+(?:working|considering)|not\s+(?:yet\s+)?provided\s+a\s+response|"
    r"(?:apologi[sz]e|sorry)\s+that\s+we\s+have\s+(?:not|yet)",
    re.I,
)
# ...or a request for clarification, which a refusal may also make ("if you could narrow it").
_CLARIFY = lazy_compile(
    r"\b(?:please|could\s+you|can\s+you|would\s+you|we\s+(?:would\s+)?ask\s+(?:that\s+)?you|we\s+need\s+you\s+to|"
    r"grateful\s+if\s+you\s+(?:could|would))\s+(?:please\s+)?(?:clarify|specify|confirm\s+(?:which|what|whether|the\s+(?:period|scope))|"
    r"provide\s+(?:us\s+with\s+)?(?:more|further|additional)\s+(?:details|detail|information))|"
    r"\b(?:need|require|requires|needs|awaiting|await)\s+(?:your\s+|further\s+|some\s+)?clarification|"
    r"\bbefore\s+we\s+can\s+(?:process|proceed|progress|deal\s+with|respond|answer|consider|begin|start)|"
    r"\bthe\s+(?:20\s+working\s+days?|time\s+limit|clock)\s+(?:will\s+)?(?:start|begin|restart|stop|pause)|"
    r"need\s+(?:more|further)\s+information\s+(?:from\s+you|to\s+(?:identify|locate))",
    re.I,
)
# "We do not have any contracts with X", "there were no incidents": the thing asked about does
# not exist. Alone that is "not held"; beside other answers it is one more answer.
_NIL = lazy_compile(
    r"\b(?:do|does|did)\s+not\s+have\s+any\s+(?!information\b|records?\b|data\b|details\b|figures\b)\w+|"
    r"\b(?:do|does|did)\s+not\s+(?:provide|use|operate|employ|own|run|fund|offer|support|commission|hold\s+any\s+contracts?)\b|"
    r"\b(?:has|have|had)\s+not\s+(?:received|had|made|issued|commissioned|carried\s+out|undertaken|entered\s+into|"
    r"paid|conducted|produced|published|adopted)\b|"
    r"\bthere\s+(?:is|are|was|were|has\s+been|have\s+been)\s+(?:no|not\s+been\s+any)\b|\bnot\s+been\s+any\b|"
    r"\bno\s+(?:such\s+)?\w+\s+(?:has|have|had)\s+(?:been\s+)?(?:identified|found|recorded|made|issued|received|"
    r"carried\s+out|taken\s+place|occurred)\b|\bnone\s+(?:has|have|were|was)\s+(?:been\s+)?"
    r"(?:identified|found|recorded|made|issued|received)\b",
    re.I,
)
# Someone else is the place to ask: it explains a "not held", it gives nothing.
_ELSEWHERE = lazy_compile(
    r"\b(?:is|are|would\s+be|will\s+be)\s+(?:the\s+)?(?:sole\s+)?responsib(?:ility|le)\s+(?:of|for)\b|"
    r"\b(?:you\s+(?:may|might|could|should|will|would)\s+(?:need\s+to\s+|wish\s+to\s+|want\s+to\s+|like\s+to\s+)?|please\s+)"
    r"(?:contact|approach|ask|write\s+to|direct\s+your\s+request\s+to|redirect\s+your\s+request)\b|"
    r"\b(?:would|will|should|may)\s+(?:have\s+to|need\s+to)\s+be\s+(?:contacted|approached|asked)\b|"
    r"\bshould\s+be\s+(?:directed|redirected|addressed|sent)\s+to\b|\bcontact\s+(?:them|the\s+\w+)\s+direct(?:ly)?\b|"
    r"\bcontact\s+details\s*:",
    re.I,
)
# The request repeated above its answer goes on past the question mark: "Please separate
# these figures by school year.", "If the answer is yes, please share the policy."
_CONTINUATION = lazy_compile(
    r"^\W*(?:please\s+(?:also\s+)?(?:provide|separate|include|break|list|share|give|state|detail|send|specify|supply|"
    r"indicate|tell|outline|split|advise|confirm\s+(?:how|what|whether|if|the))|"
    r"if\s+(?:so|yes|not|the\s+answer|this\s+is|there\s+(?:is|are))\b[^.]{0,80}\bplease\b|"
    r"(?:and|also|or)\s+(?:please\s+)?(?:provide|separate|include|break|list|share|give|state|detail)\b|"
    r"(?:broken|split)\s+down\s+by\b|(?:for|in)\s+(?:each|every|the)\s+(?:of\s+the\s+)?(?:year|month|financial\s+year|"
    r"period|quarter)s?\b)",
    re.I,
)
_POSITIVE = lazy_compile(
    r"please\s+(?:find|see)\s+(?:the\s+)?(?:attached|enclosed|below|table|documents?\b|spreadsheet)|"
    r"please\s+(?:find|see)\s+[^.]{0,60}?\b(?:attached|enclosed)\b|\bsee\s+(?:the\s+)?attached|"
    r"\battached\s+(?:is|are|document|spreadsheet|file|pdf|copy|list)|\b(?:i|we)\s+can\s+confirm\b|"
    r"\b(?:is|are)\s+as\s+follows|information\s+(?:you\s+(?:have\s+)?requested\s+)?is\s+(?:provided|attached|enclosed|set\s+out|below)|"
    r"\bis\s+disclosed\b|\bare\s+disclosed\b|provided\s+below|please\s+see\s+(?:our\s+)?response|\bhere\s+is\b",
    re.I,
)
# The letter's opening words, which precede any outcome.
_PREAMBLE = lazy_compile(
    r"thank\s+you\s+for\s+your|please\s+find\s+[^.]{0,80}response|response\s+to\s+your\s+request|"
    r"which\s+we\s+received|I\s+am\s+writing\s+(?:in\s+response|to\s+respond)|further\s+to\s+your|"
    r"\brefer\s+to\s+your|\b(?:you|which\s+you)\s+(?:asked|requested)\b|your\s+request\s+(?:dated|of|received)",
    re.I,
)
# Text every letter carries whatever the outcome.
_BOILER = lazy_compile(
    r"if\s+you\s+have\s+any\s+(?:queries|questions|further)|do\s+not\s+hesitate|re-?us(?:e|ing)|open\s+government\s+licen[cs]e|\bOGL\b|"
    r"copyright|internal\s+review|information\s+commissioner|\bICO\b|right\s+to\s+(?:complain|appeal|request)|"
    r"dissatisfied|unhappy|make\s+a\s+complaint|complain\s+to|complaints?\s+procedure|apologi[sz]e|sorry\s+for|received\s+on|has\s+been\s+logged|working\s+days|"
    r"contains\s+public\s+sector\s+information|https?://|www\.|hope\s+(?:this|the\s+information)|"
    r"duty\s+to\s+provide\s+advice|advice\s+and\s+assistance|narrow\s+(?:down\s+)?(?:the\s+)?(?:focus|scope)|"
    r"refine\s+your\s+request|public\s+interest|in\s+favour\s+of|section\s+16\b|"
    r"dealt\s+with\s+under|freedom\s+of\s+information\s+act\s+2000\s+states|"
    # how small numbers are shown ("fewer than five ... shown as '<5'"): a caveat, not a figure
    r"(?:fewer|less)\s+than\s+(?:five|5|ten|10|three|3)\b[^.]{0,60}\b(?:shown|replaced|suppressed|redacted|represented)|"
    r"figures\s+(?:have\s+been|are|were)\s+(?:rounded|suppressed)|"
    # how the request was handled: who searched where (whatever was found)
    r"\bsearch(?:es)?\s+(?:were|was|have\s+been|has\s+been)\s+(?:conducted|carried\s+out|made|undertaken|completed)|"
    r"\b(?:we|I)\s+(?:have\s+)?(?:searched|consulted|approached|contacted)\s+(?:the|our|with)\b|"
    r"\b(?:passed|forwarded|referred)\s+to\s+the\s+[^.]{0,60}\b(?:team|department|unit|service|directorate|office)|"
    r"business\s+area|quality\s+assured|subject\s+to\s+change|live\s+system|"
    # what the Act says, not what was found: "Section 1(1)(a) of the Act requires ..."
    r"\b(?:the\s+Act|FOIA|the\s+Regulations|section\s+1(?:\(1\))?(?:\([ab]\))?\s+of\s+the\s+(?:Act|Freedom\s+of\s+Information\s+Act\s+2000))"
    r"\s+(?:does\s+not\s+)?(?:requires?|obliges?|places?|provides?|gives?|states?)\b",
    re.I,
)
_QUESTION = lazy_compile(r"\?[\"”’)]*\s*$")
_TABLE = lazy_compile(r"[│┃|][^\n]*[│┃|]")
_TEXT_TABLE_ROW = lazy_compile(r"\S(?:[ \t]{2,}[£$]?\d[\d,.%]*){2,}[ \t]*$")  # searched per short line
_DIGIT_WORD = lazy_compile(r"(?<![\w/(])\d[\d,.%£]*\b")
# Numbers that are not figures: "section 1(1)(a)", "regulation 12", "Act 2000", a year, a date.
_NOT_A_FIGURE_BEFORE = lazy_compile(
    r"(?:\b(?:sections?|s\.?|regulations?|regs?\.?|article|paragraph|para|schedule|part|chapter|"
    r"act|regulations|ref|reference|refs|no|number|case|foi|foia|eir|box|tel|telephone|phone|fax|mobile|ext|"
    r"extension|room|floor|level|page|pages|p|pp|annex|appendix|table|item|version)\.?|\bQ|\bquestion|\brequest)"
    r"[ \t]*[:#.]?[ \t/]*$",
    re.I,
)
_YEAR = lazy_compile(r"(?:19|20)\d\d")
# (name, regex, anchors): every match of the regex contains at least one anchor (lowercase).
_CUES = (
    (
        "preamble",
        _PREAMBLE,
        (
            "thank",
            "please find",
            "response to your",
            "received",
            "writing",
            "further to",
            "refer to",
            "asked",
            "requested",
            "your request",
        ),
    ),
    ("ncnd", _NCND, ("neither", "ncnd")),
    ("part", _PART, ("some", "part", "certain", "element", "portion")),
    ("in_full", _IN_FULL, ("withheld", "redact", "exempt", "refused", "in full")),
    ("redacted", _REDACTED, ("redact", "removed", "blacked", "obscured", "omitted")),
    ("pointer", _POINTER, ("other means", "accessible", "available", "publish", "link")),
    (
        "positive",
        _POSITIVE,
        ("please", "attached", "confirm", "as follows", "information", "disclosed", "below", "here is"),
    ),
    (
        "refused",
        _REFUSED,
        (
            "exempt",
            "withh",
            "refus",
            "limit",
            "exceed",
            "vexatious",
            "repeated",
            "able to",
            "position to",
            "will not",
            "not be",
            "decided not",
            "obliged",
            "exception",
            "maintaining",
            "prejudice",
        ),
    ),
    (
        "not_held",
        _NOT_HELD,
        (
            "hold",
            "held",
            "not ",
            "n't",
            "n’t",
            "retained",
            "recorded",
            "found",
            "located",
            "identified",
            "kept",
            "stored",
            "only",
            "answer",
            "be published",
            "be made",
            "be finali",
        ),
    ),
    (
        "pending",
        _PENDING,
        (
            "acknowledge",
            "logged",
            "registered",
            "will",
            "shall",
            "aim to",
            "expect to",
            "hope to",
            "intend to",
            "must respond",
            "extend",
            "extension",
            "time",
            "able to",
            "position to",
            "still",
            "provided a response",
            "apologi",
            "sorry",
        ),
    ),
    (
        "clarify",
        _CLARIFY,
        (
            "please",
            "could you",
            "can you",
            "would you",
            "ask",
            "need you",
            "grateful",
            "clarif",
            "before we can",
            "working day",
            "time limit",
            "clock",
            "need",
        ),
    ),
    ("nil", _NIL, ("not ", "there", "no ", "none")),
    (
        "elsewhere",
        _ELSEWHERE,
        ("responsib", "contact", "approach", "ask", "write to", "direct your", "redirect", "should be"),
    ),
    (
        "boiler",
        _BOILER,
        (
            "if you have",
            "hesitate",
            "re-us",
            "reus",
            "licen",
            "ogl",
            "copyright",
            "review",
            "commissioner",
            "ico",
            "right to",
            "dissatisfied",
            "unhappy",
            "complain",
            "apologi",
            "sorry",
            "received on",
            "logged",
            "working days",
            "public sector",
            "http",
            "www.",
            "hope",
            "advice",
            "assistance",
            "narrow",
            "refine",
            "public interest",
            "in favour",
            "section 16",
            "dealt with",
            "states",
            "than",
            "rounded",
            "suppressed",
            "search",
            "consulted",
            "approached",
            "contacted",
            "passed",
            "forwarded",
            "referred",
            "business area",
            "quality",
            "change",
            "live",
            "require",
            "oblige",
            "place",
            "provide",
            "give",
            "state",
        ),
    ),
    ("table", _TABLE, ("│", "┃", "|")),
)
# Cues that decide even in a sentence that also echoes the request: "We do not hold the
# information you requested", "The figures you asked for are exempt under section 22".
_DECISIVE = frozenset({"cites", "not_held", "ncnd", "nil", "redacted", "part"})
_ZONE = 8  # neutral sentences after a refusal/not-held one explain it, until the next question
_NUMBERED_ITEM = lazy_compile(r"^\s*\(?\d{1,2}[.):]\s")
_LIST_MARKER = lazy_compile(r"^\s*\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.):]?\s*$")
_ANSWER_LAST_LINE = lazy_compile(r"\n[ \t]*(?:[£$]?\d[\d,.%]*|Yes|No|None|Nil|N/?A|Zero)\.?[ \t]*$", re.I)
_SHORT_ANSWER = 40
_YES_NO = lazy_compile(r"^\W*(?:yes|no)\b(?![ \t]+(?:information|records?|data|such|relevant|recorded)\b)", re.I)
_LINK_MARK = lazy_compile(r"\[\d+\]")


def classify(
    layout: Layout,
    qa: list[QAPair],
    citations: list[Citation],
    ncnd: bool,
    request: str | None = None,
    trace: list[tuple[str, str]] | None = None,
) -> str:
    """The outcome by the rule set above. `trace`, when given, receives (label, text) for each
    answer and sentence that carries a label (bench/metadata_real.py --cues prints them)."""
    text = layout.text
    labels: Counter[str] = Counter()
    _attachment_labels(text, layout, labels)
    # A short answer ("No.", "Home Office.") is labelled whole; a long one is read sentence
    # by sentence below like the rest of the letter.
    short = [p for p in qa if len(p.answer.split()) <= _SHORT_ANSWER]
    for pair in short:
        label = _label_answer(pair.answer)
        labels[label] += 1
        if trace is not None:
            trace.append((f"answer:{label}", pair.answer))
    qa_spans = _qa_spans(text, layout.response, short)
    sents = sentences(text, layout.response.start, layout.response.end)
    hits = _cue_hits(text, layout.response, sents, citations)
    neutral_words = 0
    zone = 0
    after_question = False  # the request repeated above an answer may run on past its "?"
    redaction = None  # the label of a redaction in the sentence just before, if any
    span_starts = [a for a, _ in qa_spans]
    for k, s in enumerate(sents):
        hit = hits[k]
        if "pending" in hit and "boiler" not in hit or "clarify" in hit and "boiler" not in hit:
            labels["holding" if "pending" in hit else "clarify"] += 1  # read whatever else the sentence says
        i = bisect.bisect_right(span_starts, s.start) - 1
        if i >= 0 and s.start < qa_spans[i][1]:
            continue  # inside a short answer already labelled
        sent = text[s.start : s.end]
        label = _label_sentence(sent, hit)
        if label == "neutral" and after_question and _CONTINUATION.match(sent):
            label = "question"
        if redaction and label == "refused" and _personal_only(sent, hit) and not _REQUESTED.search(sent):
            # "Some text has been redacted. This is personal data, exempt under section 40(2)."
            # explains the redaction before it; it is not a second refusal.
            if redaction == "redacted":
                labels["redacted"] -= 1
                labels["redacted_personal"] += 1
            redaction, label = None, "boiler"
        else:
            redaction = label if label in ("redacted", "redacted_personal") else None
        after_question = label == "question" or bool(_NUMBERED_ITEM.match(sent)) and label == "neutral"
        if trace is not None and label not in ("neutral", "question", "boiler"):
            trace.append((label, sent))
        if label in ("refused", "not_held", "redacted", "redacted_personal", "ncnd", "part"):
            labels[label] += 1
            zone = _ZONE
        elif label == "question" or _NUMBERED_ITEM.match(sent):
            zone = 0
            if _ANSWER_LAST_LINE.search(sent):  # "1. How many PCNs ...\n1685"
                labels["digits"] += 1
        elif label in ("positive", "table", "pointer", "advice", "nil"):
            labels[label] += 1
        elif label == "neutral":
            if zone:
                zone -= 1
                continue
            neutral_words += len(sent.split())
            if _has_figure(sent) and not _LIST_MARKER.match(sent) or _YES_NO.match(sent):
                labels["digits"] += 1  # a figure or a plain "Yes."/"No." is an answer
        # "elsewhere", "pending", "clarify", "boiler": explanation, advice or letter furniture
    if ncnd:
        labels["ncnd"] += 1
    if trace is not None:
        trace.append(("counts", f"{dict(+labels)}; prose words {neutral_words}"))
    return _combine(labels, neutral_words)


def _has_figure(sent: str) -> bool:
    """A count, amount or percentage, not a section number, a year or a date."""
    for m in _DIGIT_WORD.finditer(sent):
        num = m.group(0).rstrip(".,")
        if (
            _YEAR.fullmatch(num)
            or sent.startswith("/", m.end())
            or sent.startswith(("st ", "nd ", "rd ", "th "), m.end())
        ):
            continue
        if _NOT_A_FIGURE_BEFORE.search(sent, max(0, m.start() - 16), m.start()):
            continue
        return True
    return False


def _cue_hits(text: str, region: Span, sents: list[Span], citations: list[Citation]) -> list[set[str]]:
    """Which cues occur in each sentence."""
    starts = [s.start for s in sents]
    hits = [sentence_cues(text[s.start : s.end]) for s in sents]
    for c in citations:
        i = bisect.bisect_right(starts, c.start) - 1
        if i >= 0 and c.start < sents[i].end:
            # s21 points elsewhere; EIR 12(4)(a) is the "not held" exception, not a refusal
            hits[i].add(
                "pointer" if c.code.startswith("s21") else "not_held" if c.code.startswith("eir12(4)(a)") else "cites"
            )
            if c.code.startswith("s21"):
                hits[i].add("s21")  # the requested information is published: an answer, not advice
            elif not (c.code.startswith("eir12(4)(a)") or _PERSONAL_CODE.match(c.code)):
                hits[i].add("cites_other")  # an exemption other than personal data's
    return hits


def sentence_cues(sent: str) -> set[str]:
    """Cue names found in one sentence. A cue regex runs only when one of its anchor words
    is in the sentence: a substring test is far cheaper than a dozen regex searches, and
    most sentences carry no cue at all (tests check the anchors cover every regex branch)."""
    return set(_cached_cues(sent))


def _cues_of(sent: str) -> frozenset[str]:
    low = sent.lower()
    if not _ANY_ANCHOR.search(low):  # most sentences: one search instead of one per cue
        return _NO_CUES
    return frozenset(name for name, rx, anchors in _GATED if anchors.search(low) and rx.search(sent))


# The standard sentences of replies repeat from one document to the next: their cues are
# found once (as boilerplate.cached_shape_score).
_cached_cues = cached_when_short(32_768, CACHED_SENTENCE)(_cues_of)
# Each cue's anchors as one regex: one C-level search per cue instead of a Python loop.
_GATED = tuple((name, rx, lazy_compile("|".join(map(re.escape, anchors)))) for name, rx, anchors in _CUES)
_ANY_ANCHOR = lazy_compile("|".join(map(re.escape, sorted({a for _, _, anchors in _CUES for a in anchors}))))
_NO_CUES: frozenset[str] = frozenset()


def _attachment_labels(text: str, layout: Layout, labels: Counter[str]) -> None:
    """Attached files are part of the response: 'Response.xlsx' is content, 'Section 12 refusal.docx' is not."""
    for m in _ATTACHMENT.finditer(text, 0, layout.current_end):
        name = m.group("name")
        if _REFUSAL_FILE.search(name):
            labels["refused"] += 1
        elif _REDACTED_FILE.search(name):
            labels["redacted_file"] += 1
        else:
            labels["attachment"] += 1


def _qa_spans(text: str, region: Span, qa: list[QAPair]) -> list[tuple[int, int]]:
    """Rough spans of the Q&A answers so their sentences are not counted twice."""
    spans = []
    pos = region.start
    for pair in qa:
        if not pair.answer:
            continue
        head = pair.answer[:40]
        i = text.find(head, pos, region.end) if head else -1
        if i >= 0:
            q = text.rfind(pair.question[:30], region.start, i) if pair.question else -1
            spans.append((q if q >= 0 else i, i + len(pair.answer) + 20))
            pos = i + len(head)
    return spans


def _label_answer(answer: str) -> str:
    if not answer.strip():
        return "empty"
    if _NCND.search(answer):
        return "ncnd"
    if _IN_FULL.search(answer):
        return "content"
    if _REDACTED.search(answer):
        codes = [c.code for c in find_citations(answer, [Span(0, len(answer))])]
        other = any(not (c.startswith(("s21", "eir12(4)(a)")) or _PERSONAL_CODE.match(c)) for c in codes)
        personal = _PERSONAL.search(answer) or any(_PERSONAL_CODE.match(c) for c in codes)
        return "redacted_personal" if personal and not other else "redacted"
    if _REFUSED.search(answer):
        return "refused"
    if _NOT_HELD.search(answer):
        return "not_held"
    return "content"


def _label_sentence(sent: str, hit: set[str]) -> str:
    question = _QUESTION.search(sent) is not None
    if "preamble" in hit and not question and not hit & _DECISIVE:
        return "boiler"  # "Thank you for your request about refused licences" opens; it does not refuse
    if question and "preamble" not in hit and "ncnd" not in hit:
        return "question"  # "How many applications were refused?" asks; it does not refuse
    if "table" in hit or _is_text_table(sent):
        return "table"  # rows of figures are content, even a row headed "Refused"
    for cue in ("ncnd", "in_full", "part"):
        if cue in hit:
            return {"in_full": "positive"}.get(cue, cue)
    if "redacted" in hit:
        return "redacted_personal" if _personal_only(sent, hit) else "redacted"
    if "pointer" in hit and "positive" not in hit and "cites" not in hit:
        answer = (
            "s21" in hit
            or _ACCESSIBLE.search(sent)
            or (_LOCATION.search(sent) and not (_ADVICE.search(sent) or _elsewhere(sent)))
        )
        return "pointer" if answer else "advice"
    if hit & {"refused", "cites", "not_held"} and _is_explanation(sent):
        return "boiler"  # what the law says, or complaint rights: no decision about this request
    if "refused" in hit or "cites" in hit and "boiler" not in hit:
        return "refused"
    if "not_held" in hit:
        return "not_held"
    if question:
        return "question"
    if "nil" in hit and "positive" not in hit:
        return "nil"
    for cue in ("positive", "elsewhere", "pending", "clarify", "boiler"):
        if cue in hit:
            return cue
    if not any(ch.isalpha() or ch.isdigit() for ch in _LINK_MARK.sub("", sent)):
        return "boiler"  # a bare link number "[3]" or a rule
    if not any(ch.islower() for ch in sent) and sum(ch.isalpha() for ch in sent) > 3:
        return "boiler"  # an all-caps heading
    return "neutral"


def _elsewhere(sent: str) -> bool:
    """The sentence points to another body's publication (a council's own is not elsewhere)."""
    return any(not _SELF.search(m.group(0)) for m in _OTHERS.finditer(sent))


def _personal_only(sent: str, hit: set[str]) -> bool:
    """The sentence withholds personal data and nothing under another exemption."""
    return "cites_other" not in hit and bool(_PERSONAL.search(sent) or "cites" in hit)


def _is_explanation(sent: str) -> bool:
    """Standard text by its shape (indexer.boilerplate): complaint and review rights, re-use and
    privacy notices always; the Act's or an exemption's wording when it names no party and no
    decision ("Section 43 provides that information is exempt if ...")."""
    score, kind = cached_shape_score(sent)
    if score < 2:
        return False
    return kind not in ("exemption", "act") or not _DEICTIC.search(sent)


def _is_text_table(sent: str) -> bool:
    """Two or more lines of columns of figures set apart by runs of spaces: a plain-text table."""
    if "  " not in sent:
        return False
    rows = 0
    for line in sent.split("\n", 60)[:60]:
        if len(line) <= 200 and _TEXT_TABLE_ROW.search(line):
            rows += 1
            if rows >= 2:
                return True
    return False


def _combine(labels: Counter[str], neutral_words: int) -> str:
    """The rule set of the module docstring, applied to the labels of one letter."""
    if labels["refused"]:
        labels.pop("pointer", None)  # where else to look, beside a refusal: advice
    if labels["refused"] or labels["not_held"]:
        labels.pop("advice", None)
    if not labels["redacted_personal"]:
        labels["redacted"] += labels["redacted_file"]  # a redacted file no letter sentence explains
    given_outright = labels["content"] + labels["positive"] + labels["table"] + labels["attachment"] + labels["digits"]
    # Rule 1: a holding reply, whatever exemption it says is being considered.
    if not given_outright and (
        labels["holding"] or labels["clarify"] and not (labels["refused"] or labels["not_held"])
    ):
        return "unknown"
    refused, not_held, redacted = labels["refused"] + labels["part"], labels["not_held"], labels["redacted"]
    given = (
        given_outright
        + labels["pointer"]
        + labels["advice"]
        + labels["part"]
        + labels["redacted_personal"]
        + (neutral_words >= 25)
    )
    if labels["nil"]:
        if given or refused:
            given += labels["nil"]  # "there were none" answers one question among others
        else:
            not_held += labels["nil"]  # the thing asked about does not exist
    if labels["ncnd"]:  # Rule 2
        return "partial" if labels["content"] or labels["positive"] else "ncnd"
    if not (refused or not_held or redacted):  # Rule 6 (or 7)
        return "disclosed" if given else "unknown"
    if given or redacted:  # Rule 3
        return "partial"
    return "refused" if refused else "not_held"  # Rules 4 and 5
