// Package applog builds the zap logger every process uses and adapts it to
// the Temporal SDK's logger interface, so the SDK's own lines go through zap
// with the same format, level and fields as ours.
package applog

import (
	"fmt"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Field names shared by every log line that concerns a job or a firm, so one
// grep (or one query in a log store) finds everything about either.
const (
	FieldJob  = "job"
	FieldFirm = "firm"
)

// New builds a logger: "json" for production, "console" for people at a
// terminal; level is debug, info, warn or error.
func New(format, level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	var cfg zap.Config
	switch format {
	case "json":
		cfg = zap.NewProductionConfig()
	case "console":
		cfg = zap.NewDevelopmentConfig()
		cfg.DisableStacktrace = true
	default:
		return nil, fmt.Errorf("log format %q: want console or json", format)
	}
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.OutputPaths = []string{"stderr"}
	return cfg.Build()
}

// Temporal adapts z to the SDK's logger. Key-value pairs become zap fields;
// the SDK's WorkflowID and ActivityID keys are kept as they are and our own
// job/firm fields are added by the callers through log.With.
func Temporal(z *zap.Logger) log.Logger {
	return sdkLogger{z: z.WithOptions(zap.AddCallerSkip(1))}
}

type sdkLogger struct{ z *zap.Logger }

var _ log.WithLogger = sdkLogger{}

func (l sdkLogger) Debug(msg string, kv ...any) { l.z.Debug(msg, fields(kv)...) }
func (l sdkLogger) Info(msg string, kv ...any)  { l.z.Info(msg, fields(kv)...) }
func (l sdkLogger) Warn(msg string, kv ...any)  { l.z.Warn(msg, fields(kv)...) }
func (l sdkLogger) Error(msg string, kv ...any) { l.z.Error(msg, fields(kv)...) }

func (l sdkLogger) With(kv ...any) log.Logger { return sdkLogger{z: l.z.With(fields(kv)...)} }

func fields(kv []any) []zap.Field {
	out := make([]zap.Field, 0, (len(kv)+1)/2)
	for i := 0; i < len(kv); i += 2 {
		key, ok := kv[i].(string)
		if !ok {
			key = fmt.Sprint(kv[i])
		}
		if i+1 == len(kv) {
			out = append(out, zap.Any(key, "(missing)"))
			break
		}
		out = append(out, zap.Any(key, kv[i+1]))
	}
	return out
}

// Silent is a printf-style logger (resty's) that says nothing: our HTTP
// clients report failures to their callers as errors, which log them with
// the job and firm, rather than on stderr.
type Silent struct{}

func (Silent) Errorf(string, ...any) {}
func (Silent) Warnf(string, ...any)  {}
func (Silent) Debugf(string, ...any) {}
