export interface Verdaccio {
  url: string;
  port: number;
  token: string;
  stop(): Promise<void>;
}
export function startVerdaccio(): Promise<Verdaccio>;
