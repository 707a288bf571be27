// Printer classes: CUPS-Add-Modify-Class, CUPS-Delete-Class and CUPS-Get-Classes.
// A class is a Printer whose description says is_class, with member printers; the
// scheduler hands a class's jobs to the first member that is free.
#include "ipp/operation.hpp"

#include <cups/cups.h>

namespace quire {

void handle_cups_add_modify_class(const OperationPtr& op) {
  std::string uri = op->request.find_string("printer-uri", IPP_TAG_OPERATION).value_or("");
  std::string name = op->printer ? op->printer->name() : uri.substr(uri.rfind('/') + 1);
  if (op->printer && !op->printer->config.description.is_class)
    return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{} is a printer, not a class", name);
  PrinterConfig config;
  if (op->printer) {
    config = op->printer->config;
  } else {
    config.description.name = name;
    config.description.is_class = true;
    config.description.make_and_model = "Local Printer Class";
    config.enabled = false;
    config.accepting = false;
    char uuid[64];
    httpAssembleUUID(op->host().c_str(), 0, name.c_str(), 0, uuid, sizeof uuid);
    config.description.uuid = uuid;
  }
  if (ipp_attribute_t* members = op->request.find("member-uris", IPP_TAG_PRINTER)) {
    config.members.clear();
    for (const std::string& member_uri : attribute_strings(members)) {
      std::string member = member_uri.substr(member_uri.rfind('/') + 1);
      Printer* p = op->scheduler.find_printer(member);
      if (!p || p->config.description.is_class) {
        op->response.copy_attribute(members, IPP_TAG_UNSUPPORTED_GROUP);
        return op->fail(IPP_STATUS_ERROR_NOT_FOUND, "No printer \"{}\" to add to the class", member);
      }
      config.members.push_back(p->name());
    }
    // A class takes the formats of its first member.
    if (!config.members.empty())
      config.description.document_formats = op->scheduler.find_printer(config.members.front())->config.description.document_formats;
  }
  if (auto v = op->request.find_string("printer-info", IPP_TAG_PRINTER)) config.description.info = *v;
  if (auto v = op->request.find_string("printer-location", IPP_TAG_PRINTER)) config.description.location = *v;
  if (auto v = op->request.find_boolean("printer-is-accepting-jobs", IPP_TAG_PRINTER)) config.accepting = *v;
  if (auto v = op->request.find_integer("printer-state", IPP_TAG_PRINTER)) config.enabled = *v != IPP_PSTATE_STOPPED;
  if (config.description.document_formats.empty()) config.description.document_formats = {"application/octet-stream"};
  op->scheduler.add_or_modify_printer(std::move(config), reply_when_done(op));
}

void handle_cups_delete_class(const OperationPtr& op) {
  if (!op->printer->config.description.is_class)
    return op->fail(IPP_STATUS_ERROR_NOT_POSSIBLE, "{} is not a class", op->printer->name());
  op->scheduler.delete_printer(op->printer->name(), reply_when_done(op));
}

void handle_cups_get_classes(const OperationPtr& op) {
  auto wanted = RequestedAttributes::from_request(op->request, "all");
  auto limit = op->request.find_integer("limit", IPP_TAG_OPERATION);
  int count = 0;
  for (auto& [name, printer] : op->scheduler.printers()) {
    if (!printer.config.description.is_class) continue;
    if (limit && count >= *limit) break;
    if (count++ > 0) op->response.add_separator();
    add_printer_attributes(*op, printer, wanted, op->response);
  }
  op->reply();
}

}  // namespace quire
