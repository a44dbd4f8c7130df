package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/contract/visibility"
)

// fakeTemporal stands in for the Temporal client: it keeps workflows in a
// map and answers the calls the API makes, so every handler and each of its
// error answers can be tested without a server. Calls the API does not make
// panic through the nil embedded interface.
type fakeTemporal struct {
	client.Client

	mu        sync.Mutex
	down      bool // every call fails as if Temporal were unreachable
	noWorker  bool // progress queries time out
	workflows map[string]*fakeWorkflow
	pollers   []*taskqueuepb.PollerInfo
	signals   []sentSignal
	started   []client.StartWorkflowOptions
	inputs    []contract.Input
}

type fakeWorkflow struct {
	id       string
	run      string
	status   enumspb.WorkflowExecutionStatus
	vcStatus string
	started  time.Time
	progress contract.Progress
	pending  map[string]contract.BatchProgress // heartbeats of pending slice activities, by activity ID
	result   *contract.Result
	err      error // what a failed workflow's Get returns
}

type sentSignal struct {
	id, name string
	ctl      contract.Control
}

func newFakeTemporal() *fakeTemporal {
	return &fakeTemporal{workflows: map[string]*fakeWorkflow{}}
}

var errUnavailable = serviceerror.NewUnavailable("connection refused")

// set adds or replaces a workflow, for tests that need one in a given state.
func (f *fakeTemporal) set(w *fakeWorkflow) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if w.run == "" {
		w.run = "run-" + w.id
	}
	if w.started.IsZero() {
		w.started = time.Now().Add(-time.Minute)
	}
	f.workflows[w.id] = w
}

func (f *fakeTemporal) get(id string) (*fakeWorkflow, error) {
	if f.down {
		return nil, errUnavailable
	}
	w, ok := f.workflows[id]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found for ID: " + id)
	}
	return w, nil
}

func (f *fakeTemporal) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.get(id)
	if err != nil {
		return nil, err
	}
	resp := &workflowservice.DescribeWorkflowExecutionResponse{}
	for aid, bp := range w.pending {
		details, err := converter.GetDefaultDataConverter().ToPayloads(bp)
		if err != nil {
			return nil, err
		}
		resp.PendingActivities = append(resp.PendingActivities, &workflowpb.PendingActivityInfo{
			ActivityId: aid, ActivityType: &commonpb.ActivityType{Name: contract.ActivityEnrichBatch}, HeartbeatDetails: details,
		})
	}
	return resp, nil
}

func (f *fakeTemporal) DescribeWorkflow(_ context.Context, id, _ string) (*client.WorkflowExecutionDescription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.get(id)
	if err != nil {
		return nil, err
	}
	d := &client.WorkflowExecutionDescription{WorkflowExecutionMetadata: client.WorkflowExecutionMetadata{
		Status:            w.status,
		WorkflowStartTime: w.started,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			visibility.StatusKey().ValueSet(w.vcStatus),
			visibility.DoneKey().ValueSet(int64(w.progress.Done+w.progress.Failed)),
		),
	}}
	if w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		closed := w.started.Add(time.Minute)
		d.WorkflowCloseTime = &closed
	}
	return d, nil
}

func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, opts client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errUnavailable
	}
	in := args[0].(contract.Input)
	f.started = append(f.started, opts)
	f.inputs = append(f.inputs, in)
	w, ok := f.workflows[opts.ID]
	if !ok || w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		w = &fakeWorkflow{id: opts.ID, run: fmt.Sprintf("run-%s-%d", opts.ID, len(f.started)), status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			vcStatus: contract.StatusRunning, started: time.Now(),
			progress: contract.Progress{JobID: opts.ID, Name: in.Name, Status: contract.StatusRunning, Total: in.Total, InFlight: []int{}}}
		f.workflows[opts.ID] = w
	}
	return fakeRun{id: w.id, run: w.run}, nil
}

func (f *fakeTemporal) QueryWorkflow(_ context.Context, id, _ string, _ string, _ ...any) (converter.EncodedValue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.get(id)
	if err != nil {
		return nil, err
	}
	if f.noWorker {
		return nil, serviceerror.NewDeadlineExceeded("no poller seen for task queue")
	}
	return encoded{w.progress}, nil
}

func (f *fakeTemporal) GetWorkflow(_ context.Context, id, _ string) client.WorkflowRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.workflows[id]
	return fakeRun{id: id, run: w.run, result: w.result, err: w.err}
}

func (f *fakeTemporal) SignalWorkflow(_ context.Context, id, _ string, name string, arg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.get(id)
	if err != nil {
		return err
	}
	if w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	ctl := arg.(contract.Control)
	f.signals = append(f.signals, sentSignal{id: id, name: name, ctl: ctl})
	w.progress.Paused = name == contract.SignalControl && ctl.Action == contract.ActionPause
	w.vcStatus = map[bool]string{true: contract.StatusPaused, false: contract.StatusRunning}[w.progress.Paused]
	w.progress.Status = w.vcStatus
	return nil
}

func (f *fakeTemporal) CancelWorkflow(_ context.Context, id, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, err := f.get(id)
	if err != nil {
		return err
	}
	if w.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return serviceerror.NewNotFound("workflow execution already completed")
	}
	f.signals = append(f.signals, sentSignal{id: id, name: "cancel"})
	return nil
}

func (f *fakeTemporal) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errUnavailable
	}
	dc := converter.GetDefaultDataConverter()
	resp := &workflowservice.ListWorkflowExecutionsResponse{}
	for _, w := range f.workflows {
		if i := strings.Index(req.Query, "VcJobStatus = '"); i >= 0 && !strings.HasPrefix(req.Query[i+len("VcJobStatus = '"):], w.vcStatus+"'") {
			continue
		}
		payload := func(v any) *commonpb.Payload { p, _ := dc.ToPayload(v); return p }
		resp.Executions = append(resp.Executions, &workflowpb.WorkflowExecutionInfo{
			Execution: &commonpb.WorkflowExecution{WorkflowId: w.id, RunId: w.run},
			Status:    w.status,
			StartTime: timestamppb.New(w.started),
			SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
				contract.SearchStatus: payload(w.vcStatus),
				contract.SearchUpload: payload(w.progress.Name),
				contract.SearchDone:   payload(w.progress.Done + w.progress.Failed),
				contract.SearchTotal:  payload(w.progress.Total),
				contract.SearchFailed: payload(w.progress.Failed),
				contract.SearchTeam:   payload(float64(w.progress.TeamMembers)),
			}},
		})
	}
	return resp, nil
}

func (f *fakeTemporal) CountWorkflow(context.Context, *workflowservice.CountWorkflowExecutionsRequest) (*workflowservice.CountWorkflowExecutionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errUnavailable
	}
	n := 0
	for _, w := range f.workflows {
		if w.status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			n++
		}
	}
	return &workflowservice.CountWorkflowExecutionsResponse{Count: int64(n)}, nil
}

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errUnavailable
	}
	return &client.CheckHealthResponse{}, nil
}

func (f *fakeTemporal) DescribeTaskQueue(context.Context, string, enumspb.TaskQueueType) (*workflowservice.DescribeTaskQueueResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errUnavailable
	}
	return &workflowservice.DescribeTaskQueueResponse{Pollers: f.pollers}, nil
}

func poller(identity string, last time.Time) *taskqueuepb.PollerInfo {
	return &taskqueuepb.PollerInfo{Identity: identity, LastAccessTime: timestamppb.New(last)}
}

type fakeRun struct {
	id, run string
	result  *contract.Result
	err     error
}

func (r fakeRun) GetID() string    { return r.id }
func (r fakeRun) GetRunID() string { return r.run }
func (r fakeRun) GetFirstExecutionRunID() string {
	return r.run
}
func (r fakeRun) Get(_ context.Context, into any) error {
	if r.err != nil {
		return r.err
	}
	if r.result == nil {
		return fmt.Errorf("workflow %s has no result", r.id)
	}
	if into == nil {
		return nil
	}
	return encoded{*r.result}.Get(into)
}
func (r fakeRun) GetWithOptions(ctx context.Context, into any, _ client.WorkflowRunGetOptions) error {
	return r.Get(ctx, into)
}

// encoded is a query answer, round-tripped through JSON as the SDK does.
type encoded struct{ v any }

func (e encoded) HasValue() bool { return e.v != nil }
func (e encoded) Get(into any) error {
	b, err := json.Marshal(e.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}
