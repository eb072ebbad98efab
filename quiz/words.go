package quiz

import "strings"

// Word lists the grader leans on. They are small on purpose: each one is
// here because a labelled sample answer needed it.

// negators start a negation that reaches to the next soft boundary.
var negators = set("unlike not no never none nothing nobody neither nor without zero avoid avoids avoiding prevent prevents preventing")

// negationPairs are two-word negators ("instead of", "rather than", "as
// opposed to"); the
// first word alone only ends a scope.
var negationPairs = map[string]string{"instead": "of", "rather": "than", "opposed": "to"}

// scopeEnders stop a negation: "Redis is not the source of truth, but
// PostgreSQL is" negates only the first clause.
var scopeEnders = set("but and while whereas although though however so because since until unless when whenever once if after before then yet instead rather")

// relationWords end a negation that sits between two things and denies how
// they relate in time or order, rather than starting a new clause.
var relationWords = set("before after until once when unless whenever")

// functionWords are the glue of a sentence. A keyword list has almost none.
var functionWords = set(`a an the this that these those it its they them their there we you i he she
is are was were be been being am has have had do does did will would can could should must may might shall
to of in on at by for from with into onto over under about as than then so if when while because since until
and or but not no nor also only just still even yet every each any all both either neither some more most
which who whom whose what where how why here after before once again ever never`)

// verbStems are verbs an explanation of this lesson uses. A clause needs one
// to count as a sentence rather than a list item.
var verbStems = stems(`is are was were be been being am has have had do does did will would can could should must may might
go goes went gone come comes came get gets got make makes made take takes took give gives gave keep keeps kept
commit commits committed write writes wrote written read reads insert inserts inserted save saves saved store stores stored
update updates updated add adds added return returns returned fail fails failed succeed succeeds succeeded log logs logged
warn warns warned see sees saw seen show shows showed appear appears appeared happen happens happened become becomes became
stay stays stayed use uses used mean means meant hold holds held serve serves served run runs ran retry retries retried
repair repairs repaired rebuild rebuilds rebuilt fix fixes fixed lose loses lost miss misses missed drop drops dropped
wait waits waited block blocks blocked hang hangs hung fill fills filled exhaust exhausts exhausted open opens opened
trip trips tripped queue queues queued pile piles piled grow grows grew spike spikes spiked slow slows slowed call calls called
send sends sent reach reaches reached lag lags lagged query queries queried need needs needed let lets tell tells told know knows knew
think thinks thought want wants wanted try tries tried work works worked handle handles handled copy copies copied apply applies applied
catch catches caught detect detects detected mark marks marked skip skips skipped record records recorded persist persists persisted
acknowledge acknowledges acknowledged respond responds responded report reports reported cause causes caused lead leads led trigger triggers
change changes changed break breaks broke crash crashes crashed restart restarts restarted exist exists existed remain remains remained
cut cuts cancel cancels cancelled bound bounds bounded limit limits limited cap caps capped set sets shed sheds degrade degrades degraded
fall falls fell roll rolls rolled undo undoes undid delete deletes deleted remove removes removed push pushes pushed pull pulls pulled
load loads loaded fetch fetches fetched touch touches touched rely relies relied trust trusts trusted sit sits sat pay pays paid
split splits build builds built wrap wraps wrapped replay replays replayed relay relays relayed publish publishes published consume consumes
process processes processed land lands landed swallow swallows swallowed diverge diverges diverged drift drifts drifted rejects reject rejected
agree agrees disagree disagrees time times timed expire expires expired separate separates separated sync syncs synced track tracks tracked
check checks checked compare compares compared include includes included contain contains contained look looks looked hit hits
tie ties tied climb climbs climbed stall stalls stalled saturate saturates saturated cascade cascades cascaded scale scales scaled
add adds serialise serialises serialize serializes marshal marshals marshalled encode encodes encoded compute computes computed`)

// commonWords are ordinary English words; with the rubric's own words they
// form the lexicon that is never read as a typo.
var commonWords = set(`about above after again against almost alone along already also always among another answer around
bails because before began begin being below better between bring built cache cached caches calls
cases catch cause cells change check clear close could count course cover create cross daily delay
delays delete deleted delta doing doubt drawn draws drops during early either enough entry error
every exact example fails falls faster fewer field final first flash float flown flows focus force
found front given going great group guess happy heavy house human index inner input issue items
large later latter learn least leave level light limit loads local longer lords lower mails major
males maybe means might minor model money month never night noise north notes often order other
others paper party peace place plain plane player plays point posted poster posts pound power prayer
press price prior prove quick quiet quite radio rails raise range rated rater rates reach reader
reads ready relay relays relied rely replay replays replied reply reset resets retro right roads
round route rules sails scale scales scene seems sells sense serve seven share shell shops short
shown since sleep slower slowly slows small smart sorted sorter sorts sound south space speed spend
spent split stable staff stage stake stand start state states steal steam steel steps stick still
stock stone stood stopped stops store story study style sugar table tables tails taken tales teach
tells terms thank their theme there these thing think third those three times title today total
touch tower track trade train treat trend trial trick tried truly trust truth twice under union
until upper urban usage usual valid value video visit voice waits walls wants wards warms waste
watch water wells wheel where which while white whole whose women words works world worry worse
worst worth would write wrong wrote years yield young`)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func stems(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[stem(w)] = true
	}
	return m
}
