/* tbprofile.h - which Thunderbird profiles a user has, and whether a
 * profile has our add-on, from the files Thunderbird keeps:
 *
 *   ~/.thunderbird/profiles.ini  [ProfileN] Name=, IsRelative=, Path=,
 *                                Default=1; [Install<hash>] Default=
 *   ~/.thunderbird/installs.ini  [<hash>] Default= (the profile each
 *                                Thunderbird installation starts with)
 *   <profile>/extensions.json    {"addons": [{"id", "active",
 *                                "userDisabled", "appDisabled", "seen",
 *                                "version", ...}, ...]}
 *
 * Those files belong to the user's Thunderbird, not to us, so their bytes
 * are untrusted: these functions parse bytes the caller read (with
 * read_file_bounded, under the limits in dslimits.h), never touch the
 * file system, and answer every input with a result or a reason.
 */
#ifndef DS_TBPROFILE_H
#define DS_TBPROFILE_H

#include <stdbool.h>
#include <stddef.h>

struct tbprofile {
	char	*name;		/* Name=: UTF-8 text */
	char	*path;		/* the folder: absolute, UTF-8 text */
	bool	 is_default;	/* the profile Thunderbird starts with */
};

struct tbprofile_list {
	struct tbprofile *v;
	size_t		  n;
	/* [Profile...] sections Thunderbird would skip too (no Name, Path
	 * or IsRelative) or that we leave out (not UTF-8 text, beyond
	 * DS_MAX_PROFILES). */
	size_t		  skipped;
};

/*
 * Parses profiles.ini (ini, len bytes) and, if installs is not NULL,
 * installs.ini (ilen bytes). base is the folder relative Path= values
 * are relative to (~/.thunderbird). The default: a profile named by an
 * installation's Default= (installs.ini or [Install...] sections, what
 * Thunderbird 67 and later start with), else the one with Default=1.
 * Returns 0 with *out filled (free it with tbprofile_list_free), 1 when
 * the text is not an INI file Thunderbird wrote (err says why, *out
 * empty), -1 on out of memory. A bad installs.ini only loses the
 * default marks.
 */
int	tbprofile_parse(const char *ini, size_t len, const char *installs,
	    size_t ilen, const char *base, struct tbprofile_list *out,
	    char *err, size_t errlen);
void	tbprofile_list_free(struct tbprofile_list *l);

/* What Thunderbird's add-on database says about one add-on. */
enum tbaddon_state {
	TBADDON_ABSENT = 0,	/* no entry with that id */
	TBADDON_ENABLED,	/* "active": running */
	TBADDON_WAITING,	/* "userDisabled" and not "seen": installed
				 * from outside Thunderbird (sideloaded),
				 * waiting for the user to enable it */
	TBADDON_DISABLED,	/* "userDisabled": the user turned it off */
	TBADDON_INCOMPATIBLE,	/* "appDisabled": Thunderbird refuses it */
	TBADDON_INACTIVE,	/* not active for another reason */
};

struct tbaddon {
	enum tbaddon_state state;
	char	version[64];	/* "version": UTF-8 text, "" if none */
};

/*
 * Looks for the add-on id in extensions.json text (json, len bytes; need
 * not be NUL-terminated). An entry with "visible": true wins over others
 * with the same id (one per install location). Returns 0 with *a filled
 * (TBADDON_ABSENT when there is no entry), 1 when the text is not the
 * add-on database (err says why), -1 on out of memory.
 */
int	tbprofile_addon(const char *json, size_t len, const char *id,
	    struct tbaddon *a, char *err, size_t errlen);

/* A short English word for a state: "absent", "enabled", "waiting",
 * "disabled", "incompatible", "inactive". */
const char *tbaddon_state_name(enum tbaddon_state s);

#endif
