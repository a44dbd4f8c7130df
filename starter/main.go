// Command starter uploads a spreadsheet to a vcenrich server, follows the
// job with a progress bar and downloads the enriched workbook; it also
// pauses, resumes, cancels and reports on jobs.
//
//	starter run [-name N] [-window W] [-priority P] [-out FILE] SPREADSHEET
//	starter status|pause|resume|cancel|retry JOB
//	starter download [-out FILE] JOB
//	starter watch -interval weekly [-name N] [-notify A] [-quiet] [-later] SPREADSHEET|JOB
//	starter watches | watch-status|watch-pause|watch-resume|watch-trigger|watch-delete WATCH
//
// The server is VCENRICH_SERVER (default http://127.0.0.1:8080) or -server;
// when the server requires a token, VCENRICH_API_TOKEN holds it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/jobclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the flags were listed
		}
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  starter run [-name NAME] [-window N] [-priority P] [-notify ADDRS] [-out FILE]
              [-website-column H [-name-column H] [-description-column H]] SPREADSHEET
                               upload, follow, download
  starter status JOB | pause JOB | resume JOB | cancel JOB
  starter retry JOB            start a new job over the failed firms of JOB
  starter download [-out FILE] JOB
  starter watch -interval EVERY [-name NAME] [-notify ADDRS] [-quiet] [-later] SPREADSHEET|JOB
                               enrich the list again on a schedule (EVERY: hourly, daily,
                               weekly, monthly, a duration such as 36h, or a cron expression)
  starter watches              list the watches
  starter watch-status WATCH | watch-pause WATCH | watch-resume WATCH | watch-trigger WATCH | watch-delete WATCH
flags common to all: -server URL (default $VCENRICH_SERVER or http://127.0.0.1:8080)`

// invocation is a parsed command line.
type invocation struct {
	cmd, arg                    string
	server, name, priority, out string
	window                      int
	notify                      string
	interval                    string
	quiet, later                bool
	mapping                     jobclient.Mapping // columns chosen by header; Website empty: detected
}

// parseArgs reads a command, its one argument and the flags, which may come
// before or after the argument ("run firms.xlsx -out x.xlsx"): the standard
// parser stops at the first argument, so what follows it is parsed too.
func parseArgs(args []string, server string) (invocation, error) {
	var o invocation
	if len(args) == 0 {
		return o, fmt.Errorf("no command\n%s", usage)
	}
	o.cmd, args = args[0], args[1:]
	if server == "" {
		server = "http://127.0.0.1:8080"
	}
	fs := flag.NewFlagSet(o.cmd, flag.ContinueOnError)
	fs.StringVar(&o.server, "server", server, "vcenrich server URL")
	fs.StringVar(&o.name, "name", "", "job name (default: the file name)")
	fs.IntVar(&o.window, "window", 0, "firms enriched at once for this job (default: the server's)")
	fs.StringVar(&o.priority, "priority", "", "urgent, high, normal or low (default: the server's, VCENRICH_PRIORITY)")
	fs.StringVar(&o.out, "out", "", "where to write the workbook (default: <name>-enriched.xlsx beside the input)")
	fs.StringVar(&o.notify, "notify", "", "email addresses or https webhooks told when the job ends or stalls, comma-separated")
	fs.StringVar(&o.interval, "interval", "", "watch: how often the list is enriched again")
	fs.BoolVar(&o.quiet, "quiet", false, "watch: no notification for a refresh that found no change")
	fs.BoolVar(&o.later, "later", false, "watch: no first refresh now; the first comes when the schedule says")
	fs.StringVar(&o.mapping.Website, "website-column", "", "the header of the column holding each firm's website (default: detected)")
	fs.StringVar(&o.mapping.Name, "name-column", "", "with -website-column: the header of the firm name column")
	fs.StringVar(&o.mapping.Description, "description-column", "", "with -website-column: the header of the description column")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	rest := fs.Args()
	if len(rest) > 1 {
		if err := fs.Parse(rest[1:]); err != nil {
			return o, err
		}
		rest = append(rest[:1:1], fs.Args()...)
	}
	if o.cmd == "watches" {
		if len(rest) != 0 {
			return o, fmt.Errorf("watches takes no argument\n%s", usage)
		}
		return o, nil
	}
	if len(rest) != 1 {
		return o, fmt.Errorf("%s takes one argument\n%s", o.cmd, usage)
	}
	o.arg = rest[0]
	if o.cmd == "watch" && o.interval == "" {
		return o, fmt.Errorf("watch needs -interval (hourly, daily, weekly, monthly, a duration or a cron expression)")
	}
	if o.mapping.Website == "" && (o.mapping.Name != "" || o.mapping.Description != "") {
		return o, fmt.Errorf("-name-column and -description-column go with -website-column")
	}
	return o, nil
}

// upload is the job's options as the command line gives them.
func upload(o invocation) jobclient.UploadOptions {
	u := jobclient.UploadOptions{Name: o.name, Window: o.window, Priority: o.priority, Notify: o.notify}
	if o.mapping.Website != "" {
		m := o.mapping
		u.Mapping = &m
	}
	return u
}

func run(ctx context.Context, args []string) error {
	o, err := parseArgs(args, os.Getenv("VCENRICH_SERVER"))
	if err != nil {
		return err
	}
	cmd, arg := o.cmd, o.arg
	c := jobclient.New(o.server)
	if token := os.Getenv("VCENRICH_API_TOKEN"); token != "" {
		c.SetToken(token)
	}
	switch cmd {
	case "run":
		return runJob(ctx, c, arg, upload(o), o.out)
	case "status":
		j, err := c.Job(ctx, arg)
		if err != nil {
			return err
		}
		printJob(j)
		return nil
	case "retry":
		created, err := c.RetryFailed(ctx, arg)
		if err != nil {
			return err
		}
		fmt.Printf("job %s started over the %d failed firms of %s\n", created.JobID, created.Firms, arg)
		return nil
	case "pause", "resume", "cancel":
		if err := c.Control(ctx, arg, cmd); err != nil {
			return err
		}
		fmt.Printf("%s sent to %s\n", cmd, arg)
		return nil
	case "watch":
		opts := jobclient.WatchOptions{Name: o.name, Interval: o.interval, Notify: o.notify, Quiet: o.quiet, Later: o.later}
		if _, err := os.Stat(arg); err == nil {
			opts.Path = arg
		} else {
			opts.JobID = arg
		}
		w, err := c.CreateWatch(ctx, opts)
		if err != nil {
			return err
		}
		printWatch(w)
		return nil
	case "watches":
		ws, err := c.Watches(ctx)
		if err != nil {
			return err
		}
		if len(ws) == 0 {
			fmt.Println("no watches")
		}
		for _, w := range ws {
			printWatch(w)
		}
		return nil
	case "watch-status":
		w, err := c.Watch(ctx, arg)
		if err != nil {
			return err
		}
		printWatch(w)
		return nil
	case "watch-pause", "watch-resume", "watch-trigger", "watch-delete":
		action := strings.TrimPrefix(cmd, "watch-")
		if err := c.WatchControl(ctx, arg, action); err != nil {
			return err
		}
		fmt.Printf("watch %s: %s done\n", arg, action)
		return nil
	case "download":
		path := o.out
		if path == "" {
			path = arg + "-enriched.xlsx"
		}
		if err := c.Download(ctx, arg, path); err != nil {
			return err
		}
		fmt.Println("workbook:", path)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func runJob(ctx context.Context, c *jobclient.Client, path string, opts jobclient.UploadOptions, out string) error {
	created, err := c.Upload(ctx, path, opts)
	if err != nil {
		return err
	}
	verb := "started"
	if created.Existing {
		verb = "already running (same file and options); following it"
	}
	fmt.Printf("job %s %s: %d firms (sheet %q, header row %d, columns %v)\n",
		created.JobID, verb, created.Firms, created.Sheet, created.HeaderRow, created.Columns)
	for _, r := range created.Rejected {
		fmt.Printf("  row %d rejected: %s\n", r.Row, r.Reason)
	}
	bar := newBar(os.Stdout)
	final, err := c.Follow(ctx, created.JobID, time.Second, bar.update)
	bar.finish()
	if err != nil {
		return fmt.Errorf("follow job %s: %w", created.JobID, err)
	}
	if out == "" {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		out = filepath.Join(filepath.Dir(path), base+"-enriched.xlsx")
	}
	if final.ResultReady {
		if err := c.Download(ctx, created.JobID, out); err != nil {
			return err
		}
	}
	printJob(final)
	if final.ResultReady {
		fmt.Println("workbook:   ", out)
	}
	fmt.Println("dashboard:  ", created.Links.Dashboard)
	fmt.Println("Temporal UI:", created.Links.TemporalUI)
	if final.Status != contract.StatusCompleted {
		return fmt.Errorf("job %s ended %s", final.JobID, final.Status)
	}
	return nil
}

func printWatch(w answer.Watch) {
	state := "active"
	if w.Paused {
		state = "paused"
	}
	fmt.Printf("%s  %s: %d firms, %s, %s", w.WatchID, w.Name, w.Firms, w.Interval, state)
	if len(w.NextRuns) > 0 {
		fmt.Printf(", next %s", w.NextRuns[0].Local().Format(time.DateTime))
	}
	fmt.Printf("; %d refreshes", len(w.Jobs))
	if w.Last != "" {
		fmt.Printf(", last completed %s", w.Last)
	}
	fmt.Println()
}

func printJob(j answer.Job) {
	fmt.Printf("job %s (%s): %s, %d of %d firms done, %d failed, %d team members\n",
		j.JobID, j.Name, j.Status, j.Done, j.Total, j.Failed, j.TeamMembers)
	for reason, n := range j.FailuresByReason {
		fmt.Printf("  failed (%s): %d\n", reason, n)
	}
	if j.Note != "" {
		fmt.Println("  note:", j.Note)
	}
}
