#include "spec/experiment_spec.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "spec/build.hpp"
#include "tuneq/error.hpp"

namespace tuneq::spec {
namespace {

// The example of docs/spec.md, line for line (line numbers matter to the error tests below).
constexpr const char* kExample = R"(name: digits-mlp
command: python3 train.py --lr {lr} --hidden {hidden}   # {name} is replaced by the config value
metric: val_loss
mode: min
resource: epoch            # report key that measures progress; default: number of reports
space:
  lr: loguniform(1e-4, 1e-1)          # compact form
  hidden: {type: choice, values: [32, 64, 128]}   # structured form
  dropout: {type: uniform, low: 0.0, high: 0.5}
  batch: {type: grid, values: [32, 64]}           # grid axes are crossed with the sampled ones
searcher: {type: random, seed: 7}
scheduler: {type: asha, variant: stopping, max_t: 27, grace_period: 1, reduction_factor: 3}
resources: {cpu: 1}
max_concurrent: 2
budget: {trials: 100, time: 30m}
max_failures: 2
)";

// The smallest valid spec; the error table appends or replaces lines of it.
constexpr const char* kMinimal = R"(name: m
command: run {lr}
metric: loss
mode: min
space:
  lr: uniform(0, 1)
)";

TEST(ExperimentSpec, FullExampleParsesToTheExpectedSpec) {
  const ExperimentSpec s = parse_spec(kExample, "experiment.yaml");
  EXPECT_EQ(s.source, "experiment.yaml");
  EXPECT_EQ(s.name, "digits-mlp");
  EXPECT_EQ(s.command, "python3 train.py --lr {lr} --hidden {hidden}");  // comment stripped
  EXPECT_EQ(s.metric, "val_loss");
  EXPECT_EQ(s.mode, Mode::kMin);
  EXPECT_EQ(s.resource, "epoch");

  ASSERT_EQ(s.space.params().size(), 4u);
  const auto& p = s.space.params();
  EXPECT_EQ(p[0].name, "lr");  // order as written, not sorted
  EXPECT_EQ(p[1].name, "hidden");
  EXPECT_EQ(p[2].name, "dropout");
  EXPECT_EQ(p[3].name, "batch");
  EXPECT_EQ(p[0].domain.kind(), Domain::Kind::kLogUniform);
  EXPECT_EQ(p[0].domain.low(), 1e-4);
  EXPECT_EQ(p[0].domain.high(), 1e-1);
  EXPECT_EQ(p[1].domain.kind(), Domain::Kind::kChoice);
  EXPECT_EQ(p[1].domain.values(), (std::vector<Value>{32, 64, 128}));
  EXPECT_TRUE(p[1].domain.values()[0].is_int());
  EXPECT_EQ(p[2].domain.kind(), Domain::Kind::kUniform);
  EXPECT_EQ(p[2].domain.low(), 0.0);
  EXPECT_EQ(p[2].domain.high(), 0.5);
  EXPECT_EQ(p[3].domain.kind(), Domain::Kind::kGrid);
  EXPECT_EQ(p[3].domain.values(), (std::vector<Value>{32, 64}));

  EXPECT_EQ(s.searcher.type, SearcherType::kRandom);  // as written, despite the grid axis
  EXPECT_EQ(s.searcher.seed, 7u);
  EXPECT_EQ(s.searcher.num_samples, 0u);
  EXPECT_TRUE(s.searcher.points_to_evaluate.empty());

  EXPECT_EQ(s.scheduler.type, SchedulerType::kAsha);
  EXPECT_EQ(s.scheduler.asha_variant, AshaVariant::kStopping);
  EXPECT_EQ(s.scheduler.asha.max_t, 27);
  EXPECT_EQ(s.scheduler.asha.grace_period, 1);
  EXPECT_EQ(s.scheduler.asha.reduction_factor, 3);
  EXPECT_EQ(s.scheduler.asha.brackets, AshaOptions{}.brackets);
  EXPECT_EQ(s.scheduler.asha.stop_last_trials, AshaOptions{}.stop_last_trials);
  EXPECT_EQ(s.scheduler.asha.mode, Mode::kMin);

  EXPECT_EQ(s.resources.cpu, 1);
  EXPECT_EQ(s.resources.gpu, 0);
  EXPECT_EQ(s.pool.cpu, 0);  // auto
  EXPECT_TRUE(s.pool.gpus.empty());
  EXPECT_EQ(s.max_concurrent, 2u);
  EXPECT_EQ(s.budget.max_trials, std::optional<std::uint64_t>(100));
  EXPECT_EQ(s.budget.max_time, std::optional<double>(1800));
  EXPECT_FALSE(s.budget.max_total_resource.has_value());
  EXPECT_FALSE(s.budget.metric_target.has_value());
  EXPECT_EQ(s.max_failures, 2);
  EXPECT_FALSE(s.trial.time_limit.has_value());
  EXPECT_EQ(s.trial.stop_grace, 10);
  EXPECT_EQ(s.trial.kill_grace, 5);
  EXPECT_TRUE(s.env.empty());
}

TEST(ExperimentSpec, DefaultsOfAMinimalSpecEqualTheOptionStructs) {
  const ExperimentSpec s = parse_spec(kMinimal, "m.yaml");
  EXPECT_EQ(s.resource, "");
  EXPECT_EQ(s.searcher.type, SearcherType::kRandom);
  EXPECT_EQ(s.searcher.seed, 0u);
  EXPECT_EQ(s.searcher.num_samples, 0u);
  EXPECT_EQ(s.scheduler.type, SchedulerType::kFifo);
  EXPECT_EQ(s.scheduler.asha.max_t, AshaOptions{}.max_t);
  EXPECT_EQ(s.scheduler.hyperband.reduction_factor, HyperbandOptions{}.reduction_factor);
  EXPECT_EQ(s.scheduler.median.grace_period, MedianStoppingOptions{}.grace_period);
  EXPECT_EQ(s.max_concurrent, 0u);
  EXPECT_EQ(s.max_failures, 0);
  EXPECT_FALSE(s.budget.max_trials.has_value());
}

TEST(ExperimentSpec, AGridAxisWithoutASearcherTypeMeansGridSearchOnce) {
  const ExperimentSpec s =
      parse_spec(std::string(kMinimal) + "  batch: grid([32, 64])\n", "m.yaml");
  EXPECT_EQ(s.searcher.type, SearcherType::kGrid);
  EXPECT_EQ(s.searcher.num_samples, 1u);
}

TEST(ExperimentSpec, EveryOptionalKeyIsRead) {
  const std::string text = std::string(kMinimal) + R"(  opt: choice([adam, sgd])
searcher:
  seed: 3
  num_samples: 20
  points_to_evaluate:
    - {lr: 0, opt: sgd}
    - {opt: adam}
scheduler: {type: median, grace_period: 5, min_samples_required: 2, min_time_slice: 1.5, hard_stop: false}
resources: {cpu: 2, gpu: 1}
pool: {cpu: 8, gpus: [0, 2]}
budget: {total_resource: 500, target: 0.05}
trial: {time_limit: 1h30m, stop_grace: 3s, kill_grace: 1}
env: {OMP_NUM_THREADS: 1, DATA: /tmp/d}
)";
  const ExperimentSpec s = parse_spec(text, "m.yaml");
  EXPECT_EQ(s.searcher.seed, 3u);
  EXPECT_EQ(s.searcher.num_samples, 20u);
  ASSERT_EQ(s.searcher.points_to_evaluate.size(), 2u);
  // lr: 0 was an int for a float domain: it becomes the float 0.0.
  EXPECT_EQ(s.searcher.points_to_evaluate[0], (Config{{"lr", 0.0}, {"opt", "sgd"}}));
  EXPECT_TRUE(s.searcher.points_to_evaluate[0].at("lr").is_float());
  EXPECT_EQ(s.searcher.points_to_evaluate[1], (Config{{"opt", "adam"}}));
  EXPECT_EQ(s.scheduler.type, SchedulerType::kMedian);
  EXPECT_EQ(s.scheduler.median.grace_period, 5);
  EXPECT_EQ(s.scheduler.median.min_samples_required, 2u);
  EXPECT_EQ(s.scheduler.median.min_time_slice, 1.5);
  EXPECT_FALSE(s.scheduler.median.hard_stop);
  EXPECT_EQ(s.resources.cpu, 2);
  EXPECT_EQ(s.resources.gpu, 1);
  EXPECT_EQ(s.pool.cpu, 8);
  EXPECT_EQ(s.pool.gpus, (std::vector<int>{0, 2}));
  EXPECT_EQ(s.budget.max_total_resource, std::optional<double>(500));
  EXPECT_EQ(s.budget.metric_target, std::optional<double>(0.05));
  EXPECT_EQ(s.trial.time_limit, std::optional<double>(5400));
  EXPECT_EQ(s.trial.stop_grace, 3);
  EXPECT_EQ(s.trial.kill_grace, 1);
  EXPECT_EQ(s.env,
            (std::map<std::string, std::string>{{"OMP_NUM_THREADS", "1"}, {"DATA", "/tmp/d"}}));
}

TEST(ExperimentSpec, ShorthandSearcherAndSchedulerNames) {
  const ExperimentSpec s = parse_spec(R"yaml(name: short
command: run
metric: acc
mode: max
space: {x: "randint(1, 10)"}
searcher: grid
scheduler: hyperband
)yaml",
                                      "m.yaml");
  EXPECT_EQ(s.mode, Mode::kMax);
  EXPECT_EQ(s.searcher.type, SearcherType::kGrid);
  EXPECT_EQ(s.searcher.num_samples, 1u);
  EXPECT_EQ(s.scheduler.type, SchedulerType::kHyperband);
  EXPECT_EQ(s.scheduler.hyperband.max_t, HyperbandOptions{}.max_t);
  EXPECT_EQ(s.scheduler.hyperband.mode, Mode::kMax);  // from the top-level mode
}

TEST(ExperimentSpec, ParameterNamesMayContainDots) {
  const ExperimentSpec s = parse_spec(
      "name: d\ncommand: run {layer.width}\nmetric: m\nmode: min\nspace:\n"
      "  layer.width: randint(1, 4)\n",
      "d.yaml");
  ASSERT_EQ(s.space.params().size(), 1u);
  EXPECT_EQ(s.space.params()[0].name, "layer.width");
}

void expect_same_domain(const Domain& a, const Domain& b, const std::string& name) {
  EXPECT_EQ(a.kind(), b.kind()) << name;
  EXPECT_EQ(a.low(), b.low()) << name;
  EXPECT_EQ(a.high(), b.high()) << name;
  EXPECT_EQ(a.q(), b.q()) << name;
  ASSERT_EQ(a.values().size(), b.values().size()) << name;
  for (std::size_t i = 0; i < a.values().size(); ++i) {
    EXPECT_EQ(a.values()[i], b.values()[i]) << name;  // operator== compares the type too
  }
}

// Field by field, so that a field to_json forgets shows up here.
void expect_same_spec(const ExperimentSpec& a, const ExperimentSpec& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.command, b.command);
  EXPECT_EQ(a.metric, b.metric);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.resource, b.resource);
  ASSERT_EQ(a.space.params().size(), b.space.params().size());
  for (std::size_t i = 0; i < a.space.params().size(); ++i) {
    EXPECT_EQ(a.space.params()[i].name, b.space.params()[i].name);
    expect_same_domain(a.space.params()[i].domain, b.space.params()[i].domain,
                       a.space.params()[i].name);
  }
  EXPECT_EQ(a.searcher.type, b.searcher.type);
  EXPECT_EQ(a.searcher.seed, b.searcher.seed);
  EXPECT_EQ(a.searcher.num_samples, b.searcher.num_samples);
  EXPECT_EQ(a.searcher.points_to_evaluate, b.searcher.points_to_evaluate);
  const SchedulerSpec& x = a.scheduler;
  const SchedulerSpec& y = b.scheduler;
  EXPECT_EQ(x.type, y.type);
  EXPECT_EQ(x.asha_variant, y.asha_variant);
  EXPECT_EQ(x.asha.mode, y.asha.mode);
  EXPECT_EQ(x.asha.max_t, y.asha.max_t);
  EXPECT_EQ(x.asha.grace_period, y.asha.grace_period);
  EXPECT_EQ(x.asha.reduction_factor, y.asha.reduction_factor);
  EXPECT_EQ(x.asha.brackets, y.asha.brackets);
  EXPECT_EQ(x.asha.stop_last_trials, y.asha.stop_last_trials);
  EXPECT_EQ(x.hyperband.mode, y.hyperband.mode);
  EXPECT_EQ(x.hyperband.max_t, y.hyperband.max_t);
  EXPECT_EQ(x.hyperband.reduction_factor, y.hyperband.reduction_factor);
  EXPECT_EQ(x.median.mode, y.median.mode);
  EXPECT_EQ(x.median.grace_period, y.median.grace_period);
  EXPECT_EQ(x.median.min_samples_required, y.median.min_samples_required);
  EXPECT_EQ(x.median.min_time_slice, y.median.min_time_slice);
  EXPECT_EQ(x.median.hard_stop, y.median.hard_stop);
  EXPECT_EQ(a.resources.cpu, b.resources.cpu);
  EXPECT_EQ(a.resources.gpu, b.resources.gpu);
  EXPECT_EQ(a.pool.cpu, b.pool.cpu);
  EXPECT_EQ(a.pool.gpus, b.pool.gpus);
  EXPECT_EQ(a.max_concurrent, b.max_concurrent);
  EXPECT_EQ(a.budget.max_trials, b.budget.max_trials);
  EXPECT_EQ(a.budget.max_time, b.budget.max_time);
  EXPECT_EQ(a.budget.max_total_resource, b.budget.max_total_resource);
  EXPECT_EQ(a.budget.metric_target, b.budget.metric_target);
  EXPECT_EQ(a.max_failures, b.max_failures);
  EXPECT_EQ(a.trial.time_limit, b.trial.time_limit);
  EXPECT_EQ(a.trial.stop_grace, b.trial.stop_grace);
  EXPECT_EQ(a.trial.kill_grace, b.trial.kill_grace);
  EXPECT_EQ(a.env, b.env);
}

TEST(ExperimentSpec, CanonicalJsonOfAMinimalSpec) {
  // Every default written out; durations in seconds; domains in structured form.
  EXPECT_EQ(parse_spec(kMinimal, "m.yaml").to_json(),
            R"({"name":"m","command":"run {lr}","metric":"loss","mode":"min","resource":"",)"
            R"("space":{"lr":{"type":"uniform","low":0.0,"high":1.0}},)"
            R"("searcher":{"type":"random","seed":0,"num_samples":0,"points_to_evaluate":[]},)"
            R"("scheduler":{"type":"fifo"},"resources":{"cpu":1,"gpu":0},)"
            R"("pool":{"cpu":0,"gpus":[]},"max_concurrent":0,"budget":{},"max_failures":0,)"
            R"("trial":{"stop_grace":10.0,"kill_grace":5.0},"env":{},"checkpoint_keep":0,)"
            R"("source":"m.yaml"})");
}

TEST(ExperimentSpec, JsonRoundTripIsExact) {
  const std::vector<std::string> texts = {
      kExample,
      std::string(kMinimal) + R"(  opt: choice([adam, "32", 32, 0.30000000000000004, false])
  q: qloguniform(1e-3, 1, 1e-3)
  n: randn(-0.1, 0.7)
  k: qrandint(-10, 10, 5)
  c: "constant text"
searcher: {type: grid, num_samples: 3, seed: 18446744073709551, points_to_evaluate: [{opt: "32", lr: 0}]}
scheduler: {type: asha, variant: promotion, max_t: 81.5, grace_period: 0.5, reduction_factor: 2.5, brackets: 3, stop_last_trials: false}
resources: {cpu: 4, gpu: 2}
pool: {cpu: 16, gpus: [3, 1]}
budget: {trials: 7, time: 1h30m15.25s, total_resource: 1e6, target: -0.125}
trial: {time_limit: 2h, stop_grace: 0.5, kill_grace: 0}
env: {A: "x \"quoted\" \\ back", B: "ünï €"}
)",
      "name: h\ncommand: \"run\\ttab\"\nmetric: m\nmode: max\nspace: {x: \"lograndint(1, 9)\"}\n"
      "scheduler: {type: hyperband, max_t: 243, reduction_factor: 3}\n",
      "name: md\ncommand: r\nmetric: m\nmode: max\nspace:\n  x: grid([1, 2])\n"
      "scheduler: {type: median, grace_period: 2, min_samples_required: 5, hard_stop: false}\n",
  };
  for (const auto& text : texts) {
    const ExperimentSpec spec = parse_spec(text, "dir/spec.yaml");
    const std::string json = spec.to_json();
    const ExperimentSpec back = from_json(json);
    expect_same_spec(spec, back);
    EXPECT_EQ(back.to_json(), json);
  }
}

TEST(ExperimentSpec, FromJsonRejectsWhatToJsonCannotHaveWritten) {
  for (const char* bad :
       {"", "[1]", "{\"name\": 3", R"({"name":"x"})", R"({"source":7,"name":"x"})"}) {
    try {
      from_json(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsCorruption()) << bad << ": " << e.what();
    }
  }
}

// tests/specs holds specs as users write them: valid/ must load, each invalid/ file must fail
// with the message its first line gives ("# expect: <message>", {file} standing for its path).
std::filesystem::path repo_root() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

TEST(ExperimentSpec, SpecFilesUnderTestsLoad) {
  std::size_t valid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(repo_root() / "tests/specs/valid")) {
    EXPECT_NO_THROW(load_spec(entry.path())) << entry.path();
    ++valid;
  }
  EXPECT_GE(valid, 4u);
  EXPECT_NO_THROW(load_spec(repo_root() / "examples/specs/annotated.yaml"));
  const ExperimentSpec example = load_spec(repo_root() / "tests/specs/valid/example.yaml");
  expect_same_spec(example, [] {
    ExperimentSpec s = parse_spec(kExample, "");
    s.source = (repo_root() / "tests/specs/valid/example.yaml").string();
    return s;
  }());
}

TEST(ExperimentSpec, InvalidSpecFilesFailWithTheirExpectedMessage) {
  std::size_t invalid = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(repo_root() / "tests/specs/invalid")) {
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    const std::string tag = "# expect: ";
    ASSERT_EQ(first.rfind(tag, 0), 0u) << entry.path() << " lacks its expected message";
    std::string expected = first.substr(tag.size());
    const auto at = expected.find("{file}");
    if (at != std::string::npos) expected.replace(at, 6, entry.path().string());
    try {
      load_spec(entry.path());
      ADD_FAILURE() << entry.path() << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), expected) << entry.path();
    }
    ++invalid;
  }
  EXPECT_GE(invalid, 6u);
}

}  // namespace
}  // namespace tuneq::spec

namespace tuneq::spec {
namespace {

TEST(ExperimentSpec, PbtSchedulerWithMutationsParsesAndRoundTrips) {
  const std::string text =
      "name: p\n"
      "command: run {lr} {batch}\n"
      "metric: acc\n"
      "mode: max\n"
      "space:\n"
      "  lr: loguniform(1e-4, 1e-1)\n"
      "  batch: choice([16, 32, 64])\n"
      "searcher: {seed: 9}\n"
      "scheduler:\n"
      "  type: pbt\n"
      "  perturbation_interval: 4\n"
      "  burn_in_period: 2\n"
      "  quantile_fraction: 0.5\n"
      "  resample_probability: 0.5\n"
      "  perturbation_factors: [1.5, 0.5]\n"
      "  synch: true\n"
      "  hyperparam_mutations:\n"
      "    lr: loguniform(1e-4, 1e-1)\n"
      "    batch: [16, 32, 64]\n"
      "budget: {trials: 8}\n"
      "checkpoint_keep: 2\n";
  const ExperimentSpec spec = parse_spec(text, "p.yaml");
  const PbtOptions& o = spec.scheduler.pbt;
  EXPECT_EQ(spec.scheduler.type, SchedulerType::kPbt);
  EXPECT_EQ(o.mode, Mode::kMax);
  EXPECT_EQ(o.perturbation_interval, 4);
  EXPECT_EQ(o.burn_in_period, 2);
  EXPECT_EQ(o.quantile_fraction, 0.5);
  EXPECT_EQ(o.resample_probability, 0.5);
  EXPECT_EQ(o.perturbation_factors, (std::vector<double>{1.5, 0.5}));
  EXPECT_TRUE(o.synch);
  ASSERT_EQ(o.hyperparam_mutations.size(), 2U);
  EXPECT_EQ(o.hyperparam_mutations.at("batch").values, (std::vector<Value>{16, 32, 64}));
  ASSERT_TRUE(o.hyperparam_mutations.at("lr").domain);
  EXPECT_EQ(o.hyperparam_mutations.at("lr").domain->to_string(), "loguniform(0.0001, 0.1)");
  EXPECT_EQ(spec.checkpoint_keep, 2U);
  EXPECT_EQ(tuner_options(spec).checkpoint_keep, 2U);
  EXPECT_EQ(make_scheduler(spec)->name(), "pbt");
  // Stored and read back: the same spec.
  EXPECT_EQ(from_json(spec.to_json()).to_json(), spec.to_json());
}

TEST(ExperimentSpec, Pb2SchedulerWithBounds) {
  const std::string text =
      "name: p\n"
      "command: run {lr} {width}\n"
      "metric: acc\n"
      "mode: max\n"
      "space:\n"
      "  lr: loguniform(1e-4, 1e-1)\n"
      "  width: randint(16, 257)\n"
      "searcher: {seed: 9, num_samples: 6}\n"
      "scheduler:\n"
      "  type: pb2\n"
      "  perturbation_interval: 4\n"
      "  burn_in_period: 2\n"
      "  quantile_fraction: 0.5\n"
      "  synch: true\n"
      "  hyperparam_bounds: {lr: [1.0e-4, 0.1], width: [16, 256]}\n";
  const ExperimentSpec spec = parse_spec(text, "p.yaml");
  const Pb2Options& o = spec.scheduler.pb2;
  EXPECT_EQ(spec.scheduler.type, SchedulerType::kPb2);
  EXPECT_EQ(o.mode, Mode::kMax);
  EXPECT_EQ(o.perturbation_interval, 4);
  EXPECT_EQ(o.burn_in_period, 2);
  EXPECT_EQ(o.quantile_fraction, 0.5);
  EXPECT_TRUE(o.synch);
  EXPECT_EQ(o.hyperparam_bounds, (std::map<std::string, std::pair<double, double>>{
                                     {"lr", {1e-4, 0.1}}, {"width", {16, 256}}}));
  EXPECT_EQ(make_scheduler(spec)->name(), "pb2");
  EXPECT_EQ(to_string(spec.scheduler.type), std::string("pb2"));
  // Stored and read back: the same spec.
  EXPECT_EQ(from_json(spec.to_json()).to_json(), spec.to_json());
  EXPECT_EQ(from_json(spec.to_json()).scheduler.pb2.hyperparam_bounds, o.hyperparam_bounds);
}

}  // namespace
}  // namespace tuneq::spec
