"""The resource directory (資源の把握): who can take this patient, tonight. Shaped like Open Referral HSDS 3.x."""
