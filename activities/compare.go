package activities

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"

	"github.com/vcenrich/vcenrich/applog"
	"github.com/vcenrich/vcenrich/changes"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/firm"
)

// CompareRuns compares a job's run with an earlier run of the same list
// firm by firm, streaming the changes into the result store as it goes, so
// neither run is held in memory; the summary it returns is small enough for
// history. Firms are matched by website, so a list reordered or grown
// between the runs still compares each firm with itself; a firm new to the
// list has nothing to be compared with and reports no change.
func (a *Activities) CompareRuns(ctx context.Context, t contract.CompareTask) (contract.ChangeSummary, error) {
	logger := log.With(activity.GetLogger(ctx), applog.FieldJob, t.JobID)
	cur, err := a.Store.Job(ctx, t.JobID)
	if err != nil {
		return contract.ChangeSummary{}, fmt.Errorf("compare: %w", err)
	}
	prev, err := a.Store.Job(ctx, t.Previous.JobID)
	if err != nil {
		return contract.ChangeSummary{}, fmt.Errorf("compare with %s: %w", t.Previous.JobID, err)
	}
	// Only the websites of the earlier run are held: a few megabytes for
	// 50,000 firms, where the runs themselves would be gigabytes.
	earlier := make(map[string]int, prev.Total)
	for i := range prev.Total {
		in, err := a.Store.Firm(ctx, prev.ID, i)
		if err != nil {
			return contract.ChangeSummary{}, fmt.Errorf("compare with %s: %w", prev.ID, err)
		}
		earlier[changes.WebsiteKey(in.Website)] = i
	}
	beat := time.Now()
	load := func(i int) (firm.Input, firm.Result, firm.Result, error) {
		if time.Since(beat) > time.Second {
			activity.RecordHeartbeat(ctx, i)
			beat = time.Now()
		}
		in, res, err := a.Store.RunResult(ctx, cur.ID, t.Run, i)
		if err != nil {
			return firm.Input{}, firm.Result{}, firm.Result{}, err
		}
		j, ok := earlier[changes.WebsiteKey(in.Website)]
		if !ok { // new to the list: nothing to compare it with
			return in, res, res, nil
		}
		_, before, err := a.Store.RunResult(ctx, prev.ID, t.Previous.Run, j)
		return in, before, res, err
	}
	var sum changes.Summary
	err = a.Store.PutChanges(ctx, cur.ID, func(w io.Writer) error {
		var err error
		sum, err = changes.Compare(cur.Total, load, changes.Encoder(w))
		return err
	})
	if err != nil {
		return contract.ChangeSummary{}, fmt.Errorf("compare: %w", err)
	}
	out := contract.ChangeSummary{Total: sum.Total, Counts: map[string]int{}, Text: sum.Text(), Checked: sum.Checked, NotChecked: sum.NotChecked}
	for k, n := range sum.Counts {
		out.Counts[string(k)] = n
	}
	for _, c := range sum.First {
		out.First = append(out.First, c.String())
	}
	logger.Info("runs compared", "previous", t.Previous.JobID, "changes", sum.Total, "checked", sum.Checked, "not_checked", sum.NotChecked)
	return out, nil
}
