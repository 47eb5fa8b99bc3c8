/** Pure edge rules shared by the ALB, the WAF and the nginx renderer. No Pulumi inside. */
export * from "./paths";
export * from "./alb";
export * from "./waf";
export * from "./nginx";
