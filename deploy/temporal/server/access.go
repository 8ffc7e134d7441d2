package main

// Which certificate may call what at the frontend (#25): the claim mapper names the party
// by its client certificate's common name, the authorizer looks the call up in the access
// policy (config/temporal-access.yaml). Anything the policy does not name is refused.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/api"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"gopkg.in/yaml.v3"
)

// Party is what one certificate may do.
type Party struct {
	Everything bool     `yaml:"everything"` // the server's own services
	Reads      bool     `yaml:"reads"`      // every read-only call (api.AccessReadOnly)
	Calls      []string `yaml:"calls"`      // further calls by their gRPC method name
	Starts     []string `yaml:"starts"`     // workflow types it may start or schedule; empty: any
}

// Policy maps a certificate's common name to its party.
type Policy struct {
	Parties map[string]Party `yaml:"parties"`
}

// LoadPolicy reads the policy and refuses one that names a call the server does not know
// (a typo would otherwise refuse a call nobody notices until it is needed).
func LoadPolicy(path string) (*Policy, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var policy Policy
	decoder := yaml.NewDecoder(bytes.NewReader(raw))
	decoder.KnownFields(true)
	if err := decoder.Decode(&policy); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(policy.Parties) == 0 {
		return nil, fmt.Errorf("%s: no parties", path)
	}
	for name, party := range policy.Parties {
		for _, call := range party.Calls {
			if !knownCall(call) {
				return nil, fmt.Errorf("%s: party %q: unknown call %q", path, name, call)
			}
		}
	}
	return &policy, nil
}

func knownCall(name string) bool {
	for _, prefix := range []string{api.WorkflowServicePrefix, api.OperatorServicePrefix} {
		if api.GetMethodMetadata(prefix+name).Scope != api.ScopeUnknown {
			return true
		}
	}
	return false
}

// certificateClaims: the subject is the client certificate's common name, nothing else.
// A token in the request is ignored: people never reach the frontend, only parties do.
type certificateClaims struct{}

func (certificateClaims) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	if info.TLSSubject == nil || info.TLSSubject.CommonName == "" {
		return &authorization.Claims{}, nil
	}
	return &authorization.Claims{Subject: info.TLSSubject.CommonName}, nil
}

type policyAuthorizer struct {
	policy *Policy
	logger log.Logger
}

var allow = authorization.Result{Decision: authorization.DecisionAllow}

func deny(reason string) authorization.Result {
	return authorization.Result{Decision: authorization.DecisionDeny, Reason: reason}
}

func (a *policyAuthorizer) Authorize(_ context.Context, claims *authorization.Claims, target *authorization.CallTarget) (authorization.Result, error) {
	if authorization.IsHealthCheckAPI(target.APIName) {
		return allow, nil
	}
	result := a.decide(claims, target)
	if result.Decision != authorization.DecisionAllow {
		// Names only: the party, the call and the namespace (no ids, no payloads).
		a.logger.Warn("Call refused by the access policy",
			tag.NewStringTag("party", subjectOf(claims)),
			tag.NewStringTag("call", api.MethodName(target.APIName)),
			tag.WorkflowNamespace(target.Namespace),
			tag.NewStringTag("reason", result.Reason))
	}
	return result, nil
}

func subjectOf(claims *authorization.Claims) string {
	if claims == nil || claims.Subject == "" {
		return "(no certificate)"
	}
	return claims.Subject
}

func (a *policyAuthorizer) decide(claims *authorization.Claims, target *authorization.CallTarget) authorization.Result {
	subject := subjectOf(claims)
	party, known := a.policy.Parties[subject]
	if !known {
		return deny(fmt.Sprintf("certificate %q is not in the access policy", subject))
	}
	if party.Everything {
		return allow
	}
	call := api.MethodName(target.APIName)
	metadata := api.GetMethodMetadata(target.APIName)
	listed := slices.Contains(party.Calls, call)
	if metadata.Access == api.AccessReadOnly && party.Reads {
		return allow
	}
	if !listed {
		return deny(fmt.Sprintf("certificate %q may not call %s", subject, call))
	}
	if len(party.Starts) > 0 {
		for _, started := range startedTypes(target.Request) {
			if !slices.Contains(party.Starts, started) {
				return deny(fmt.Sprintf("certificate %q may not start %s", subject, started))
			}
		}
	}
	return allow
}

// startedTypes: the workflow types a request starts, now or by a schedule.
func startedTypes(request any) []string {
	name := func(t *commonpb.WorkflowType) string { return t.GetName() }
	switch r := request.(type) {
	case *workflowservice.StartWorkflowExecutionRequest:
		return []string{name(r.GetWorkflowType())}
	case *workflowservice.SignalWithStartWorkflowExecutionRequest:
		return []string{name(r.GetWorkflowType())}
	case *workflowservice.CreateScheduleRequest:
		return []string{name(r.GetSchedule().GetAction().GetStartWorkflow().GetWorkflowType())}
	case *workflowservice.UpdateScheduleRequest:
		return []string{name(r.GetSchedule().GetAction().GetStartWorkflow().GetWorkflowType())}
	case *workflowservice.ExecuteMultiOperationRequest:
		var types []string
		for _, op := range r.GetOperations() {
			if start := op.GetStartWorkflow(); start != nil {
				types = append(types, name(start.GetWorkflowType()))
			}
		}
		return types
	}
	return nil
}
