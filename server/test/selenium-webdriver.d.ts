// The little of selenium-webdriver that the WebKit harness (server/test/webkit.ts)
// uses. The package ships no types for its main module.
declare module 'selenium-webdriver' {
  export interface Locator {
    css?: string;
  }

  export interface WebElement {
    click(): Promise<void>;
    clear(): Promise<void>;
    sendKeys(...keys: string[]): Promise<void>;
    getAttribute(name: string): Promise<string | null>;
    getRect(): Promise<{ x: number; y: number; width: number; height: number }>;
    isDisplayed(): Promise<boolean>;
  }

  export interface Actions {
    move(options: {
      x?: number;
      y?: number;
      duration?: number;
      origin?: string | WebElement;
    }): Actions;
    press(button?: number): Actions;
    release(button?: number): Actions;
    sendKeys(...keys: string[]): Actions;
    perform(): Promise<void>;
  }

  export interface WebDriver {
    get(url: string): Promise<void>;
    getCurrentUrl(): Promise<string>;
    executeScript<T>(script: string, ...args: unknown[]): Promise<T>;
    findElement(locator: Locator): Promise<WebElement>;
    findElements(locator: Locator): Promise<WebElement[]>;
    actions(options?: { async?: boolean; bridge?: boolean }): Actions;
    takeScreenshot(): Promise<string>;
    manage(): {
      window(): {
        setRect(rect: { width: number; height: number; x?: number; y?: number }): Promise<void>;
      };
    };
    quit(): Promise<void>;
  }

  export class Builder {
    usingServer(url: string): Builder;
    withCapabilities(capabilities: Record<string, unknown>): Builder;
    build(): WebDriver;
  }

  export const By: { css(selector: string): Locator };
  export const Button: { LEFT: number };
  export const Origin: { VIEWPORT: string; POINTER: string };
  export const Key: Record<'ENTER' | 'ESCAPE' | 'TAB' | 'BACK_SPACE', string>;
}
