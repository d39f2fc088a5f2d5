#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

#define WINDOW_MS 1000

void
progress_start(struct progress *p, FILE *f, int asked)
{
	*p = (struct progress){ .f = f, .on = asked && isatty(fileno(f)) };
	p->start_ms = p->window_ms = p->next_window_ms = clock_ms();
}

/* "1:05:09", "5:09": hours only when there are some */
static void
format_duration(char *buf, size_t size, int64_t secs)
{
	if (secs >= 3600)
		snprintf(buf, size, "%d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	else
		snprintf(buf, size, "%d:%02d", (int)(secs / 60), (int)(secs % 60));
}

/* ", 42%, 0:12 left": the time left at the pace since the start */
static void
format_bounded(char *buf, size_t size, int64_t elapsed_ms, uint64_t done, uint64_t total)
{
	char left[32] = "?";

	if (done > total)
		done = total;
	if (done && elapsed_ms > 0)
		format_duration(left, sizeof left, (int64_t)((double)(total - done) * elapsed_ms / done / 1000));
	snprintf(buf, size, ", %d%%, %s left", (int)(done * 100 / total), left);
}

void
progress_draw(struct progress *p, uint64_t events, uint64_t rejects, uint64_t done, uint64_t total)
{
	int64_t now;
	double rate;
	char bounded[64] = "", line[256];
	int n;

	if (!p->on || (now = clock_ms()) - p->drawn_ms < PROGRESS_REDRAW_MS)
		return;
	if (now - p->next_window_ms >= WINDOW_MS) {
		p->window_ms = p->next_window_ms;
		p->window_events = p->next_window_events;
		p->next_window_ms = now;
		p->next_window_events = events;
	}
	rate = now > p->window_ms ? (events - p->window_events) * 1000.0 / (now - p->window_ms) : 0;
	if (total)
		format_bounded(bounded, sizeof bounded, now - p->start_ms, done, total);
	n = snprintf(line, sizeof line, "\r%s: %llu events, %.0f/s, %llu rejected%s\033[K", progname,
	    (unsigned long long)events, rate, (unsigned long long)rejects, bounded);
	fwrite(line, 1, n < (int)sizeof line ? (size_t)n : sizeof line - 1, p->f);
	fflush(p->f);
	p->drawn = 1;
	p->drawn_ms = now;
}

void
progress_end(struct progress *p)
{
	if (!p->drawn)
		return;
	fputs("\r\033[K", p->f);
	fflush(p->f);
	p->drawn = 0;
}

uint64_t
progress_input_size(int fd)
{
	struct stat sb;
	off_t at;

	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (at = lseek(fd, 0, SEEK_CUR)) < 0 || at >= sb.st_size)
		return 0;
	return sb.st_size - at;
}
