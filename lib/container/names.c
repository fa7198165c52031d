/* names.c - container names (names.h).
 *
 * The two word lists are data about docker's behaviour (the adjectives
 * and surnames of its pkg/namesgenerator, which users see in every
 * unnamed container's name), kept in docker's order. */
#include "names.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "../util/sbuf.h"
#include "container.h"

static const char *const adjectives[] = {
	"admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
	"blissful", "bold", "boring", "brave", "busy", "charming", "clever", "cool", "compassionate",
	"competent", "condescending", "confident", "cranky", "crazy", "dazzling", "determined",
	"distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic",
	"exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny",
	"gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful",
	"hungry", "infallible", "inspiring", "interesting", "intelligent", "jolly", "jovial", "keen",
	"kind", "laughing", "loving", "lucid", "magical", "mystifying", "modest", "musing", "naughty",
	"nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic",
	"pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent",
	"romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied",
	"suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant",
	"vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
};

static const char *const surnames[] = {
	"albattani", "allen", "almeida", "antonelli", "agnesi", "archimedes", "ardinghelli", "aryabhata",
	"austin", "babbage", "banach", "banzai", "bardeen", "bartik", "bassi", "beaver", "bell", "benz",
	"bhabha", "bhaskara", "black", "blackburn", "blackwell", "bohr", "booth", "borg", "bose",
	"bouman", "boyd", "brahmagupta", "brattain", "brown", "buck", "burnell", "cannon", "carson",
	"cartwright", "carver", "cerf", "chandrasekhar", "chaplygin", "chatelet", "chatterjee",
	"chebyshev", "cohen", "chaum", "clarke", "colden", "cori", "cray", "curran", "curie", "darwin",
	"davinci", "dewdney", "dhawan", "diffie", "dijkstra", "dirac", "driscoll", "dubinsky", "easley",
	"edison", "einstein", "elbakyan", "elgamal", "elion", "ellis", "engelbart", "euclid", "euler",
	"faraday", "feistel", "fermat", "fermi", "feynman", "franklin", "gagarin", "galileo", "galois",
	"ganguly", "gates", "gauss", "germain", "goldberg", "goldstine", "goldwasser", "golick",
	"goodall", "gould", "greider", "grothendieck", "haibt", "hamilton", "haslett", "hawking",
	"hellman", "heisenberg", "hermann", "herschel", "hertz", "heyrovsky", "hodgkin", "hofstadter",
	"hoover", "hopper", "hugle", "hypatia", "ishizaka", "jackson", "jang", "jemison", "jennings",
	"jepsen", "johnson", "joliot", "jones", "kalam", "kapitsa", "kare", "keldysh", "keller", "kepler",
	"khayyam", "khorana", "kilby", "kirch", "knuth", "kowalevski", "lalande", "lamarr", "lamport",
	"leakey", "leavitt", "lederberg", "lehmann", "lewin", "lichterman", "liskov", "lovelace",
	"lumiere", "mahavira", "margulis", "matsumoto", "maxwell", "mayer", "mccarthy", "mcclintock",
	"mclaren", "mclean", "mcnulty", "mendel", "mendeleev", "meitner", "meninsky", "merkle", "mestorf",
	"mirzakhani", "moore", "morse", "murdock", "moser", "napier", "nash", "neumann", "newton",
	"nightingale", "nobel", "noether", "northcutt", "noyce", "panini", "pare", "pascal", "pasteur",
	"payne", "perlman", "pike", "poincare", "poitras", "proskuriakova", "ptolemy", "raman",
	"ramanujan", "ride", "montalcini", "ritchie", "rhodes", "robinson", "roentgen", "rosalind",
	"rubin", "saha", "sammet", "sanderson", "satoshi", "shamir", "shannon", "shaw", "shirley",
	"shockley", "shtern", "sinoussi", "snyder", "solomon", "spence", "stonebraker", "sutherland",
	"swanson", "swartz", "swirles", "taussig", "tesla", "tharp", "thompson", "torvalds", "tu",
	"turing", "varahamihira", "vaughan", "visvesvaraya", "volhard", "villani", "wescoff", "wilbur",
	"wiles", "williams", "williamson", "wilson", "wing", "wozniak", "wright", "wu", "yalow", "yonath",
	"zhukovsky",
};

#define N_ADJ (sizeof(adjectives) / sizeof(adjectives[0]))
#define N_SUR (sizeof(surnames) / sizeof(surnames[0]))

static unsigned rand_below(unsigned n)
{
	unsigned v;

	/* math/rand in docker: any uniform source will do, names need no secrecy. */
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (unsigned)(size_t)&v;
	return v % n;
}

void container_name_random(int retry, char out[CONTAINER_NAME_GEN_MAX])
{
	for (;;) {
		snprintf(out, CONTAINER_NAME_GEN_MAX, "%s_%s", adjectives[rand_below(N_ADJ)], surnames[rand_below(N_SUR)]);
		/* Steve Wozniak is not boring */
		if (strcmp(out, "boring_wozniak"))
			break;
	}
	if (retry > 0) {
		size_t n = strlen(out);
		snprintf(out + n, CONTAINER_NAME_GEN_MAX - n, "%u", rand_below(10));
	}
}

size_t container_name_words(int surnames_list)
{
	return surnames_list ? N_SUR : N_ADJ;
}

static int name_char(char ch, int first)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return 1;
	return !first && (ch == '_' || ch == '.' || ch == '-');
}

char *container_name_normalize(const char *name, struct berr *err)
{
	const char *n = name[0] == '/' ? name + 1 : name;
	size_t len = strlen(n);
	int ok = len >= 2;

	for (size_t i = 0; ok && i < len; i++)
		ok = name_char(n[i], i == 0);
	if (!ok) {
		berr_set(err, BERR_INVALID, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
			 n);
		return NULL;
	}
	return xasprintf("/%s", n);
}

const struct container *container_name_owner(struct container *const *list, const char *name)
{
	for (size_t i = 0; list && list[i]; i++)
		if (list[i]->name && !strcmp(list[i]->name, name))
			return list[i];
	return NULL;
}

int container_name_check(struct container *const *list, const char *name, const char *self_id,
			 struct berr *err)
{
	const struct container *o = container_name_owner(list, name);

	if (!o || (self_id && !strcmp(o->id, self_id)))
		return 0;
	return berr_set(err, BERR_EXISTS,
			"Conflict. The container name \"%s\" is already in use by container \"%s\". You have to "
			"remove (or rename) that container to be able to reuse that name.",
			name, o->id);
}

char *container_name_generate(struct container *const *list, const char *id)
{
	char n[CONTAINER_NAME_GEN_MAX + 1];

	n[0] = '/';
	for (int i = 0; i < 6; i++) {
		container_name_random(i, n + 1);
		if (!container_name_owner(list, n))
			return xstrdup(n);
	}
	return xasprintf("/%.12s", id);
}
