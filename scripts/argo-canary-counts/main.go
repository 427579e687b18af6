// Command argo-canary-counts prints, as JSON on stdout, the canary and stable
// ReplicaSet sizes that the Argo Rollouts controller (the module version in
// go.mod) settles at for a setWeight step, over a grid of replica counts,
// weights and maxSurge/maxUnavailable values. It calls the controller's own
// exported functions, CalculateReplicaCountsForBasicCanary and
// CalculateReplicaCountsForTrafficRoutedCanary (utils/replicaset/canary.go),
// and MaxSurge/MaxUnavailable (utils/replicaset/replicaset.go); nothing of
// the controller is copied here. Without traffic routing it reconciles from
// all-stable (and again from the sizes of weight 50) until the controller asks
// for no change, every pod Ready at once; with routing one call gives the sizes.
//
// test/argoCanaryCounts.json is its output; model/canaryShare.ts is checked
// against it (test/canaryShare.test.ts). Regenerate with
// scripts/argo-canary-counts/run.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/utils/replicaset"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const (
	stableHash = "stable"
	canaryHash = "canary"
	// A reconcile moves the ReplicaSets at most maxSurge/maxUnavailable pods at a time;
	// 1000 replicas at the smallest fencepost (1) settle within this many.
	maxReconciles = 5000
)

var replicaCounts = []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 25, 32, 50, 100, 1000}

// fencepost is a maxSurge or maxUnavailable as written in the Rollout; nil leaves the field out (Argo's default, "25").
type fencepost = *intstr.IntOrString

func num(n int) fencepost    { v := intstr.FromInt(n); return &v }
func pct(s string) fencepost { v := intstr.FromString(s); return &v }

// The Rollout that canary-stack writes sets neither field; the rest probe the rule.
var fenceposts = []struct{ surge, unavailable fencepost }{
	{nil, nil},
	{num(0), nil},
	{num(1), nil},
	{num(2), nil},
	{num(5), nil},
	{pct("10%"), nil},
	{pct("50%"), nil},
	{pct("100%"), nil},
	{nil, num(0)},
	{num(1), num(0)},
	{num(0), num(1)},
	{nil, pct("50%")},
}

type basicRow struct {
	Replicas       int32       `json:"replicas"`
	MaxSurge       interface{} `json:"maxSurge"`
	MaxUnavailable interface{} `json:"maxUnavailable"`
	// As the controller resolves them for these replicas.
	ResolvedSurge       int32 `json:"resolvedSurge"`
	ResolvedUnavailable int32 `json:"resolvedUnavailable"`
	// The most pods (canary + stable spec.replicas) at any reconcile on the way from
	// all-stable to each weight's settled counts.
	PeakPods int32 `json:"peakPods"`
	// Indexed by setWeight 0..100: the settled spec.replicas of each ReplicaSet.
	Canary []int32 `json:"canary"`
	Stable []int32 `json:"stable"`
}

type routedRow struct {
	Replicas int32   `json:"replicas"`
	Canary   []int32 `json:"canary"`
	Stable   []int32 `json:"stable"`
}

type output struct {
	Module  string
	Command string
	Triples int
	Basic   []basicRow
	Routed  []routedRow
}

func written(f fencepost) interface{} {
	if f == nil {
		return nil
	}
	if f.Type == intstr.Int {
		return f.IntVal
	}
	return f.StrVal
}

func rolloutAt(replicas, weight int32, surge, unavailable fencepost, routed bool) *v1alpha1.Rollout {
	step := int32(0)
	canary := &v1alpha1.CanaryStrategy{
		MaxSurge:       surge,
		MaxUnavailable: unavailable,
		Steps:          []v1alpha1.CanaryStep{{SetWeight: &weight}},
	}
	if routed {
		canary.TrafficRouting = &v1alpha1.RolloutTrafficRouting{Nginx: &v1alpha1.NginxTrafficRouting{StableIngress: "app"}}
	}
	return &v1alpha1.Rollout{
		Spec: v1alpha1.RolloutSpec{Replicas: &replicas, Strategy: v1alpha1.RolloutStrategy{Canary: canary}},
		Status: v1alpha1.RolloutStatus{
			StableRS:         stableHash,
			CurrentPodHash:   canaryHash,
			CurrentStepIndex: &step,
		},
	}
}

// replicaSet with every pod Ready and Available at once.
func replicaSet(hash string, replicas int32) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "app-" + hash, Labels: map[string]string{v1alpha1.DefaultRolloutUniqueLabelKey: hash}},
		Spec:       appsv1.ReplicaSetSpec{Replicas: &replicas},
		Status:     appsv1.ReplicaSetStatus{Replicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas},
	}
}

// settle reconciles from the given sizes until the controller asks for no change.
func settle(ro *v1alpha1.Rollout, canary, stable int32) (int32, int32, int32) {
	peak := canary + stable
	for i := 0; i < maxReconciles; i++ {
		c, s := replicaset.CalculateReplicaCountsForBasicCanary(ro, replicaSet(canaryHash, canary), replicaSet(stableHash, stable), nil)
		if c+s > peak {
			peak = c + s
		}
		if c == canary && s == stable {
			return c, s, peak
		}
		canary, stable = c, s
	}
	fmt.Fprintf(os.Stderr, "no fixed point: replicas %d, weight %d\n", *ro.Spec.Replicas, *ro.Spec.Strategy.Canary.Steps[0].SetWeight)
	os.Exit(1)
	return 0, 0, 0
}

func main() {
	out := output{Module: "github.com/argoproj/argo-rollouts v1.8.3", Command: "scripts/argo-canary-counts/run"}
	for _, replicas := range replicaCounts {
		for _, f := range fenceposts {
			row := basicRow{Replicas: replicas, MaxSurge: written(f.surge), MaxUnavailable: written(f.unavailable)}
			probe := rolloutAt(replicas, 0, f.surge, f.unavailable, false)
			row.ResolvedSurge, row.ResolvedUnavailable = replicaset.MaxSurge(probe), replicaset.MaxUnavailable(probe)
			halfCanary, halfStable, _ := settle(rolloutAt(replicas, 50, f.surge, f.unavailable, false), 0, replicas)
			for weight := int32(0); weight <= 100; weight++ {
				ro := rolloutAt(replicas, weight, f.surge, f.unavailable, false)
				c, s, peak := settle(ro, 0, replicas)
				// The counts a step settles at do not depend on where the ladder came from:
				// from the sizes of weight 50, the same fixed point.
				c2, s2, peak2 := settle(ro, halfCanary, halfStable)
				if c2 != c || s2 != s {
					fmt.Fprintf(os.Stderr, "path-dependent: replicas %d, weight %d, surge %v: %d/%d fresh, %d/%d from weight 50\n",
						replicas, weight, written(f.surge), c, s, c2, s2)
					os.Exit(1)
				}
				if peak2 > peak {
					peak = peak2
				}
				if peak > row.PeakPods {
					row.PeakPods = peak
				}
				row.Canary = append(row.Canary, c)
				row.Stable = append(row.Stable, s)
				out.Triples++
			}
			out.Basic = append(out.Basic, row)
		}
		row := routedRow{Replicas: replicas}
		for weight := int32(0); weight <= 100; weight++ {
			c, s := replicaset.CalculateReplicaCountsForTrafficRoutedCanary(rolloutAt(replicas, weight, nil, nil, true), nil)
			row.Canary = append(row.Canary, c)
			row.Stable = append(row.Stable, s)
			out.Triples++
		}
		out.Routed = append(out.Routed, row)
	}
	write(out)
}

// write prints the output with one row per line, so that a regenerated fixture diffs row by row.
func write(out output) {
	head, _ := json.Marshal(struct {
		Module  string `json:"module"`
		Command string `json:"command"`
		Triples int    `json:"triples"`
	}{out.Module, out.Command, out.Triples})
	fmt.Printf("%s,\n\"basic\": [\n", head[:len(head)-1])
	for i, row := range out.Basic {
		line, _ := json.Marshal(row)
		fmt.Printf("%s%s\n", line, comma(i, len(out.Basic)))
	}
	fmt.Print("],\n\"routed\": [\n")
	for i, row := range out.Routed {
		line, _ := json.Marshal(row)
		fmt.Printf("%s%s\n", line, comma(i, len(out.Routed)))
	}
	fmt.Print("]}\n")
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}
