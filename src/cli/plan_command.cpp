// tuneq plan experiment.yaml [--json]: a dry run. Shows the brackets and rungs the scheduler will
// use, how many trials reach each rung and with how much resource, and the total budget, without
// starting anything.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "spec/experiment_spec.hpp"
#include "tuneq/error.hpp"
#include "tuneq/plan.hpp"

namespace tuneq::cli {
namespace {

struct PlanOptions {
  std::string spec_path;
  bool json = false;
};

// How many trials a population-based scheduler trains: every config the searcher gives (the
// points to evaluate, then each grid point num_samples times, or num_samples random draws),
// capped by the trial budget. nullopt: neither ends (the spec check refuses that for pbt/pb2).
std::optional<std::uint64_t> population(const spec::ExperimentSpec& s) {
  const auto& params = s.space.params();
  const bool grid = s.searcher.type == spec::SearcherType::kGrid ||
                    std::any_of(params.begin(), params.end(),
                                [](const Space::Param& p) { return p.domain.is_grid(); });
  std::optional<std::uint64_t> configs;
  if (grid && (s.searcher.type == spec::SearcherType::kGrid || s.searcher.num_samples > 0)) {
    configs = s.space.grid_size() * std::max<std::uint64_t>(1, s.searcher.num_samples);
  } else if (!grid && s.searcher.num_samples > 0) {
    configs = s.searcher.num_samples;
  }
  if (configs) *configs += s.searcher.points_to_evaluate.size();
  if (!s.budget.max_trials) return configs;
  return configs ? std::min(*configs, *s.budget.max_trials) : *s.budget.max_trials;
}

std::string population_text(const spec::ExperimentSpec& s) {
  const auto n = population(s);
  return n ? std::to_string(*n) : std::string("an unbounded number of");
}

// The plan of any scheduler: Hyperband's from the paper; ASHA's rungs with the populations a
// trial budget would give them if every rung kept exactly its top 1/eta; one rung at the end for
// FIFO and median stopping (they stop nothing by plan).
std::vector<BracketPlan> plan_of(const spec::ExperimentSpec& s, std::string& note) {
  const auto& sched = s.scheduler;
  const std::optional<std::uint64_t> trials = s.budget.max_trials;
  switch (sched.type) {
    case spec::SchedulerType::kHyperband: {
      const double eta = sched.hyperband.reduction_factor;
      note = "synchronous Hyperband runs the brackets one after another";
      return hyperband_plan(sched.hyperband.max_t, static_cast<int>(eta));
    }
    case spec::SchedulerType::kAsha: {
      const auto& a = sched.asha;
      auto plan = asha_plan(a.max_t, a.grace_period, a.reduction_factor, a.brackets);
      if (trials) {
        // Trials are spread over brackets round robin; each rung keeps floor(n / eta).
        for (std::size_t b = 0; b < plan.size(); ++b) {
          std::uint64_t n = *trials / plan.size() + (b < *trials % plan.size() ? 1 : 0);
          for (auto& rung : plan[b].rungs) {
            rung.trials = n;
            n = static_cast<std::uint64_t>(std::floor(static_cast<double>(n) / a.reduction_factor));
          }
        }
        note =
            "ASHA is asynchronous: rung populations are what a full run of the trial budget "
            "gives when each rung keeps its top 1/eta";
      } else {
        note = "no trial budget: rung populations depend on how long the experiment runs";
      }
      return plan;
    }
    case spec::SchedulerType::kPbt:
      note = fmt::format(
          "population-based training: the population of {} trials trains side by side, "
          "exploiting every {} resource",
          population_text(s), s.scheduler.pbt.perturbation_interval);
      return {BracketPlan{0, {RungPlan{population(s).value_or(0), 0}}}};
    case spec::SchedulerType::kPb2:
      note = fmt::format(
          "population based bandits: the population of {} trials trains side by side, "
          "exploiting every {} resource with a GP bandit choosing the new settings",
          population_text(s), s.scheduler.pb2.perturbation_interval);
      return {BracketPlan{0, {RungPlan{population(s).value_or(0), 0}}}};
    case spec::SchedulerType::kFifo:
    case spec::SchedulerType::kMedian:
      break;
  }
  note = "every trial runs to its end unless median stopping cuts it";
  return {BracketPlan{0, {RungPlan{trials.value_or(0), 0}}}};
}

// Resource spent by a bracket when promoted trials continue from their checkpoints.
double bracket_resource(const BracketPlan& b) {
  double total = 0, previous = 0;
  for (std::size_t i = 0; i < b.rungs.size(); ++i) {
    total += static_cast<double>(b.rungs[i].trials) * (b.rungs[i].resource - previous);
    previous = b.rungs[i].resource;
  }
  return total;
}

ExitCode run_plan(const PlanOptions& o) {
  spec::ExperimentSpec s;
  try {
    s = spec::load_spec(o.spec_path);
  } catch (const Error& e) {
    throw CommandError(ExitCode::kSpecError, e.what());
  }
  std::string note;
  const auto plan = plan_of(s, note);
  double total = 0;
  for (const auto& b : plan) total += bracket_resource(b);

  if (o.json) {
    nlohmann::json j;
    j["brackets"] = nlohmann::json::array();
    for (const auto& b : plan) {
      nlohmann::json rungs = nlohmann::json::array();
      for (const auto& r : b.rungs)
        rungs.push_back({{"trials", r.trials}, {"resource", r.resource}});
      j["brackets"].push_back({{"s", b.s}, {"rungs", rungs}});
    }
    j["total_resource"] = total;
    fmt::print("{}\n", j.dump(2));
    return ExitCode::kOk;
  }
  const std::string unit = s.resource.empty() ? "reports" : s.resource;
  // FIFO, median stopping, PBT and PB2 have one bracket of one rung at resource 0: no rungs.
  const bool rungless =
      plan.size() == 1 && plan[0].rungs.size() == 1 && plan[0].rungs[0].resource == 0;
  if (rungless) {
    const std::uint64_t n = plan[0].rungs[0].trials;
    fmt::print(
        "plan for {} ({}): no rungs, {}\n", s.name, spec::to_string(s.scheduler.type),
        n > 0 ? fmt::format("{} trials", n) : std::string("as many trials as the budget allows"));
  } else {
    fmt::print("plan for {} ({}): {} bracket(s)\n", s.name, spec::to_string(s.scheduler.type),
               plan.size());
    for (const auto& b : plan) {
      fmt::print("  bracket s={}:", b.s);
      for (const auto& r : b.rungs) fmt::print("  {} trials @ {} {}", r.trials, r.resource, unit);
      fmt::print("   ({} {} in all)\n", bracket_resource(b), unit);
    }
  }
  if (total > 0)
    fmt::print("total budget: {} {} (promoted trials continue from checkpoints)\n", total, unit);
  fmt::print("note: {}\n", note);
  return ExitCode::kOk;
}

}  // namespace

void register_plan(CLI::App& app, Action& action) {
  auto opts = std::make_shared<PlanOptions>();
  CLI::App* sub =
      app.add_subcommand("plan", "Dry run: brackets, rungs, trials and resource per rung");
  sub->add_option("spec", opts->spec_path, "experiment spec (YAML)")->required();
  sub->add_flag("--json", opts->json, "print the plan as JSON");
  sub->callback([opts, &action] { action = [opts] { return run_plan(*opts); }; });
}

}  // namespace tuneq::cli
