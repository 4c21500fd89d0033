import type { BeneficiaryAssignment } from "./types";

export type DetailTab = "details" | "beneficiaries" | "history";

export type DialogState =
  | { kind: "import"; paths: string[]; autorun: boolean; note: string | null }
  | { kind: "export" }
  | { kind: "open-db" }
  | { kind: "sample" }
  | { kind: "bulk"; assignment: BeneficiaryAssignment; reason: string };
