// Planning a document's route: type it, check the client's claim, find the chain.
#include "pipeline/document_plan.hpp"

#include "pipeline/conversion_graph.hpp"
#include "pipeline/mime_types.hpp"
#include "pipeline/ppd_file.hpp"

namespace quire {

std::expected<DocumentPlan, PlanError> plan_document(const FilterCatalog& catalog, const DriverInfo& driver,
                                                     const std::filesystem::path& document, std::string_view claimed_format,
                                                     const JobOptions& options) {
  DocumentPlan plan;
  // application/vnd.cups-raw (lp -o raw, LPD's 'l'): the bytes go to the printer unfiltered.
  if (driver.is_raw() || claimed_format == "application/vnd.cups-raw") {
    plan.raw = true;
    plan.type = plan.final_type = claimed_format.empty() ? std::string(kOctetStream) : std::string(claimed_format);
    return plan;
  }
  auto head = read_head(document);
  if (!head) return std::unexpected(PlanError{head.error(), false});
  auto typing = type_document(catalog.types(), claimed_format, *head);
  if (!typing) return std::unexpected(PlanError{typing.error()});
  plan.type = typing->type;
  plan.detected = typing->detected;
  if (plan.type == kOctetStream) return std::unexpected(PlanError{"the document's type is not recognised (not printable)"});

  std::vector<Conversion> extra;
  std::vector<std::string> ppd_finals;
  if (!driver.ppd.empty()) {
    auto ppd = read_ppd(driver.ppd);
    if (!ppd) return std::unexpected(PlanError{ppd.error(), false});
    extra = ppd->filters;
    ppd_finals = ppd->final_types;
  }
  auto chain = catalog.graph().cheapest_chain(plan.type, driver.formats, extra);
  if (!chain) {
    std::string targets;
    for (const auto& f : driver.formats) targets += (targets.empty() ? "" : ", ") + f;
    return std::unexpected(PlanError{"no conversion from " + plan.type + " to what the printer takes (" + targets + ")"});
  }
  if (chain->empty() && options.transforms_document())
    if (auto identity = catalog.graph().identity_for(plan.type)) chain->push_back(*identity);
  plan.final_type = chain->empty() ? plan.type : chain->back().destination;
  for (const auto& step : *chain) {
    if (step.destination == kPpdPrinterType) {
      for (std::size_t i = 0; i < extra.size(); ++i)
        if (extra[i] == step) plan.final_type = ppd_finals[i];
    }
    if (step.program == "-") continue;  // a PPD's pass-through
    FilterStep f;
    f.name = step.program;
    f.program = catalog.find_filter(step.program);
    f.source_type = step.source;
    f.destination_type = step.destination == kPpdPrinterType ? plan.final_type : step.destination;
    if (f.program.empty()) return std::unexpected(PlanError{"filter \"" + step.program + "\" is not installed", false});
    plan.steps.push_back(std::move(f));
  }
  plan.count_separately = plan.steps.empty();
  return plan;
}

}  // namespace quire
