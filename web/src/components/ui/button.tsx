import { Button as AriaButton, type ButtonProps } from 'react-aria-components';

type Variant = 'primary' | 'secondary' | 'danger' | 'quiet';

export function Button({ variant = 'secondary', className, ...props }: ButtonProps & { variant?: Variant }) {
  return <AriaButton {...props} className={`button button-${variant}${className ? ` ${String(className)}` : ''}`} />;
}
